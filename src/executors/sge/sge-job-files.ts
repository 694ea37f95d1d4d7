import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskSpec } from '../executor.js';

/**
 * Files an SGE task keeps in its log folder next to `stdout.log` and `stderr.log`. `launch` is what the
 * job wrapper runs (NUL-separated data, never shell text); `exit-code` is written by the wrapper when
 * the task ends by itself (not when SGE kills it: then qacct tells); the markers record what Cohort
 * did, so a status can say "killed" or "held" and not guess from the scheduler's state letters.
 */
export const SGE_TASK_FILES = {
  stdout: 'stdout.log',
  stderr: 'stderr.log',
  launch: 'launch',
  exitCode: 'exit-code',
  cancelled: 'cancelled',
  held: 'held',
} as const;

/** How a task ended by the wrapper's account (the second word of `exit-code`). */
export type WrapperEnd = 'exit' | 'time-limit' | 'out-of-memory' | 'dependency-failed' | 'no-folder';

export interface WrapperExit {
  /** Undefined when the task never ran (dependency failed). */
  readonly code: number | undefined;
  readonly end: WrapperEnd;
  readonly host: string;
  readonly startedAt: number;
  readonly endedAt: number;
}

/**
 * Writes the task's `launch` file: cwd, whether it has a memory limit (1/0), its time limit and kill
 * grace in seconds (0: none), the count and log folders of the tasks it needs to have succeeded, argc,
 * argv, then `NAME=value` words; every field ends with a NUL, so any byte but NUL reaches the task as it
 * was given. Stale files of an earlier run of the same folder are removed first, so they cannot pass for
 * this run's end.
 */
export function writeLaunchFile(
  spec: TaskSpec,
  okDependencyDirs: readonly string[],
  limit: { readonly seconds: number; readonly graceSeconds: number },
): void {
  const dir = spec.logDir;
  mkdirSync(dir, { recursive: true });
  for (const name of [SGE_TASK_FILES.exitCode, SGE_TASK_FILES.cancelled, SGE_TASK_FILES.held]) {
    rmSync(join(dir, name), { force: true });
  }
  const env = Object.entries(spec.env).map(([name, value]) => `${name}=${value}`);
  const fields = [
    spec.cwd,
    spec.resources.memoryMB === undefined ? '0' : '1',
    String(limit.seconds),
    String(limit.graceSeconds),
    String(okDependencyDirs.length),
    ...okDependencyDirs,
    String(spec.argv.length),
    ...spec.argv,
    ...env,
  ];
  writeFileSync(join(dir, SGE_TASK_FILES.launch), fields.map((f) => `${f}\0`).join(''));
}

/** The wrapper's record of the end (`<code|-> <end> <host> <start s> <end s>`), or undefined. */
export function readWrapperExit(logDir: string): WrapperExit | undefined {
  let text: string;
  try {
    text = readFileSync(join(logDir, SGE_TASK_FILES.exitCode), 'utf8');
  } catch {
    return undefined;
  }
  const [code, end, host, started, ended] = text.trim().split(' ');
  if (end === undefined || host === undefined) return undefined;
  return {
    code: code === undefined || code === '-' ? undefined : Number(code),
    end: end as WrapperEnd,
    host,
    startedAt: Number(started) * 1000,
    endedAt: Number(ended) * 1000,
  };
}

/** Whether a marker (`cancelled`, `held`) is in the task's folder. */
export function hasMarker(logDir: string, marker: 'cancelled' | 'held'): boolean {
  return existsSync(join(logDir, SGE_TASK_FILES[marker]));
}

/** Sets or clears a marker; a folder that is gone is ignored (the scheduler's state still holds). */
export function setMarker(logDir: string, marker: 'cancelled' | 'held', on: boolean): void {
  const path = join(logDir, SGE_TASK_FILES[marker]);
  try {
    if (on) writeFileSync(path, `${Date.now()}\n`);
    else rmSync(path, { force: true });
  } catch {
    // The log folder was removed.
  }
}
