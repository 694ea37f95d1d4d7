import { constants } from 'node:os';
import type { TaskStatus } from '../executor.js';

/** How an ended task ended, as far as its own folder or its process tells. */
export interface TaskEnding {
  /** The wrapper's exit code (128 + n for signal n); undefined when the task never ran. */
  readonly code: number | undefined;
  /** A `cancelled` marker exists: whatever the code, the user stopped it. */
  readonly cancelled: boolean;
  /** A time limit was set: only then do 124 and 137 (coreutils timeout) mean `time limit`. */
  readonly limited: boolean;
  readonly host?: string;
  readonly startedAt?: number;
  readonly endedAt?: number;
}

/** Exit codes of coreutils `timeout`: 124 after SIGTERM at the limit, 137 after the SIGKILL that followed. */
const TIME_LIMIT_CODES: readonly number[] = [124, 137];

/**
 * The status of an ended task. A task that never ran ended because a dependency failed (or was
 * cancelled). Example: `{ code: 3, cancelled: false, limited: false }` is `error`, `exit code 3`.
 */
export function taskOutcome(ending: TaskEnding): TaskStatus {
  const { code, cancelled, limited } = ending;
  const times = {
    ...(ending.host === undefined ? {} : { host: ending.host }),
    ...(ending.startedAt === undefined ? {} : { startedAt: ending.startedAt }),
    ...(ending.endedAt === undefined ? {} : { endedAt: ending.endedAt }),
  };
  const exit = code === undefined ? {} : { exitCode: code };
  if (cancelled) return { state: 'killed', cause: 'cancelled', reason: 'killed', ...exit, ...times };
  if (code === undefined)
    return { state: 'error', cause: 'dependency-failed', reason: 'dependency failed', ...times };
  if (code === 0) return { state: 'done', cause: 'exit', exitCode: 0, ...times };
  if (limited && TIME_LIMIT_CODES.includes(code))
    return { state: 'error', cause: 'time-limit', reason: 'time limit', ...exit, ...times };
  return { state: 'error', cause: 'exit', reason: exitReason(code), ...exit, ...times };
}

/** `exit code 3`; for codes above 128 the shell's signal convention is named: `exit code 139 (SIGSEGV)`. */
function exitReason(code: number): string {
  const signal = code > 128 ? signalName(code - 128) : undefined;
  return signal === undefined ? `exit code ${code}` : `exit code ${code} (${signal})`;
}

function signalName(signal: number): string | undefined {
  return Object.entries(constants.signals).find(([, number]) => number === signal)?.[0];
}
