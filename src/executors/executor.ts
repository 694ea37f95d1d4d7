import type { Resources } from '../jobs/job-definition.js';
import type { ExecutorKind } from './executor-kinds.js';

/** States an executor reports. The engine's task states (engine/task-states.ts) build on these. */
export const EXECUTOR_STATES = [
  'queued',
  'held',
  'running',
  'suspended',
  'done',
  'error',
  'killed',
  'unknown',
] as const;
export type ExecutorState = (typeof EXECUTOR_STATES)[number];

/** A dependency on another submitted task: `ok` runs only after it succeeded, `any` after it ended. */
export interface Dependency {
  /** An executor id returned by an earlier submit, or the taskId of a task earlier in the same submit call. */
  readonly id: string;
  readonly kind: 'ok' | 'any';
}

/** One unit of work handed to an executor. Commands never pass through a shell as text. */
export interface TaskSpec {
  /** Engine's id of the task; unique and stable (used for log folders and scheduler job names). */
  readonly taskId: string;
  /** Program and arguments. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /**
   * Variables many tasks share, as one object (a run's: the runner's environment, the CLI on PATH):
   * the task starts with these and its own `env` over them (taskEnvironment). Shared so that a run of
   * 200,000 tasks holds one copy of the runner's environment, not 200,000. Default none.
   */
  readonly sharedEnv?: Readonly<Record<string, string>>;
  readonly cwd: string;
  /**
   * Folder for this task's `stdout.log`, `stderr.log` and status files; the executor makes it where it
   * is missing (a task that writes no file of its own gets none when its run is created).
   */
  readonly logDir: string;
  readonly resources: Resources;
  /** Executor ids of tasks that must end first. */
  readonly after: readonly Dependency[];
  /**
   * Extra scheduler words from the task's queue (`--gres=gpu:1`, `-l scratch=10G`), passed to the
   * submit command as separate arguments, never through a shell. Ignored by the local executor.
   */
  readonly schedulerArgs?: readonly string[];
  /**
   * Tasks of one submit call with the same key and the same resources (and scheduler words) may be
   * submitted as one scheduler array job, e.g. `<run>:<job index>` for the same job of a batch over many
   * items. Cluster executors then chain arrays element-wise where each task depends on the task at the
   * same position of another array. Without it they group only tasks without dependencies. Ignored by
   * the local executor.
   */
  readonly arrayKey?: string;
}

/** The whole environment a task starts with: its shared variables with its own over them. */
export function taskEnvironment(spec: Pick<TaskSpec, 'env' | 'sharedEnv'>): Readonly<Record<string, string>> {
  return spec.sharedEnv === undefined ? spec.env : { ...spec.sharedEnv, ...spec.env };
}

/**
 * Why a task ended, declared once; control flow reads this, never the words of `reason`.
 * - exit: its command ended by itself (any code, also a crash by a signal of its own)
 * - time-limit / out-of-memory: ended at its limit (by the wrapper, the launcher or the scheduler)
 * - cancelled: Cohort cancelled it (a `cancelled` marker); cancelled-outside: someone else did (scancel, qdel)
 * - dependency-failed: never ran because an `ok` dependency did not succeed
 * - could-not-start: its working folder or log folder was missing, or its launch failed
 * - lost: it started, and nothing recorded how it ended (its runner died, the scheduler forgot it)
 * - scheduler: the scheduler ended it for its own reasons (node failure, preemption, an error state)
 */
export const END_CAUSES = [
  'exit',
  'time-limit',
  'out-of-memory',
  'cancelled',
  'cancelled-outside',
  'dependency-failed',
  'could-not-start',
  'lost',
  'scheduler',
] as const;
export type EndCause = (typeof END_CAUSES)[number];

export interface TaskStatus {
  readonly state: ExecutorState;
  readonly exitCode?: number;
  /** Why it ended, typed; set on every ended status (done, error, killed). */
  readonly cause?: EndCause;
  /** Why it failed, in words: `exit code 3`, `time limit`, `out of memory`, `killed`, `dependency failed`. */
  readonly reason?: string;
  readonly host?: string;
  readonly startedAt?: number;
  readonly endedAt?: number;
}

/**
 * A place that runs tasks: this machine, Slurm, SGE. Small on purpose; optional capabilities are
 * optional methods. Every method takes many ids at once: a cluster answers those with one command.
 */
export interface Executor {
  readonly kind: ExecutorKind;
  /**
   * Submits tasks; returns their executor ids, in order. Dependencies name executor ids returned earlier
   * or taskIds of tasks earlier in this call (their executor ids do not exist yet).
   */
  submit(tasks: readonly TaskSpec[]): Promise<string[]>;
  /** Current status of many tasks; ids this executor never saw are `unknown`. */
  status(ids: readonly string[]): Promise<Map<string, TaskStatus>>;
  /** Stops tasks: SIGTERM, then SIGKILL after a grace period (or the scheduler's equivalent). */
  cancel(ids: readonly string[]): Promise<void>;
  suspend?(ids: readonly string[]): Promise<void>;
  resume?(ids: readonly string[]): Promise<void>;
  hold?(ids: readonly string[]): Promise<void>;
  release?(ids: readonly string[]): Promise<void>;
  /**
   * Ids whose status this executor saw change (started, ended, signalled) since the last call. The
   * engine then asks `status` only about those between its full polls. Leave it out where changes are
   * not seen as they happen (a cluster: its scheduler is asked about everything each poll).
   */
  takeChanges?(): ReadonlySet<string>;
  /**
   * Shrinks the folders of ended tasks whose end the caller has recorded (compactTaskFolder), possibly
   * later and in another process: the local executor hands them to its launcher, which outlives the
   * runner, so that a command answers without waiting for a thousand folders' unlinks. Without it the
   * engine compacts them itself.
   */
  compact?(ids: readonly string[]): void;
  /** Releases resources (timers, child watchers); running tasks keep running. */
  close(): Promise<void>;
}
