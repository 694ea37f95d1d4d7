import type { TaskStatus } from '../executor.js';
import type { LauncherKind } from './launcher.js';

/**
 * Time between a cancel's SIGTERM and the SIGKILL: long enough for a tool to flush and remove its
 * temporary files (a MATLAB or Python job writing a NIfTI), short enough that a stuck job frees its
 * slots soon. Also the grace a time limit gives after its SIGTERM.
 */
export const DEFAULT_KILL_GRACE_MS = 10_000;

/**
 * Ready tasks handed to the native launcher beyond the free slots, per slot: it starts each the moment a
 * slot frees, while this process may be busy (creating the next chunk of a run's tasks, recording a
 * poll's states). Enough to cover such a pause: with 4 a run of a thousand trivial tasks left its slots
 * idle while a chunk was created and took 20-25 % longer than with 32 (64 gained nothing more; see
 * docs/benchmarks.md). A hold or cancel of a task handed over takes it back (`withdraw`) before it starts.
 */
export const AHEAD_PER_SLOT = 32;

/** How often logs are checked against the cap (and adopted tasks for their end). */
export const WATCH_INTERVAL_MS = 1000;

export interface LocalExecutorOptions {
  /** Concurrent slots; a task uses `resources.cpus` of them (capped at this). Default: the CPU count. */
  readonly slots?: number;
  /** SIGTERM to SIGKILL, for cancel and time limits. Default DEFAULT_KILL_GRACE_MS. */
  readonly killGraceMs?: number;
  /** Largest size of each log before it is truncated (see capTaskLogs). Default 64 MiB. */
  readonly logCapBytes?: number;
  /**
   * Called once when a task ends, so the engine needs no polling: right after the exit of a task this
   * runner started (or the end of one it never ran); within a second for tasks of an earlier runner it
   * adopted (passed to `status` or named as dependencies while active). A listener that throws becomes
   * a process warning and does not disturb the executor.
   */
  readonly onTaskEnded?: (id: string, status: TaskStatus) => void;
  /**
   * Called after an end told through `onTaskEnded` left no task of this executor queued or running:
   * the owner polls now instead of at its next interval (the last task's end is on a run's critical
   * path). A listener that throws becomes a process warning.
   */
  readonly onIdle?: () => void;
  /**
   * The task launcher: `native` (libexec/task-launcher.c, built by `npm run build`) or `bash`
   * (libexec/task-launcher.bash). Default: native when it was built.
   */
  readonly launcher?: LauncherKind;
}
