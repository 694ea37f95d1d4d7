import { existsSync } from 'node:fs';
import type { Dependency, TaskSpec, TaskStatus } from '../executor.js';
import { readProcStat } from '../proc-stat.js';
import { isCancelled } from './task-files.js';
import { taskOutcome } from './task-outcome.js';

/** A task that waits for another: `ok` needs it to succeed, `any` only to end. */
export interface Waiter {
  readonly task: LocalTask;
  readonly kind: Dependency['kind'];
}

/** A task held by one LocalExecutor, from submit to its end. Its id is its absolute log folder. */
export interface LocalTask {
  readonly id: string;
  readonly spec: TaskSpec;
  readonly slots: number;
  /** 0 when there is no time limit. */
  readonly limitSeconds: number;
  /** waiting: for dependencies; ready: in the queue for slots. */
  phase: 'waiting' | 'ready' | 'running' | 'ended';
  held: boolean;
  /** A `held` marker exists (another process held it); refreshed every second. */
  heldOnDisk: boolean;
  cancelled: boolean;
  suspended: boolean;
  /** Dependencies not yet ended, plus one while submit is still adding them. */
  unmet: number;
  /** Tasks waiting for this one; emptied when it ends. */
  dependents: Waiter[];
  /** Its process (and process group) id, once the launcher started it. */
  pid?: number | undefined;
  /** Its request number at the launcher, while it runs there. */
  seq?: number | undefined;
  /** Handed over to a launcher that queues it until a slot frees; not started yet. */
  atLauncher?: boolean;
  startedAt?: number;
  killTimer?: NodeJS.Timeout | undefined;
  status?: TaskStatus;
}

/** A new task record: waiting, with the submit itself as its one unmet dependency. */
export function newLocalTask(id: string, spec: TaskSpec, maxSlots: number): LocalTask {
  const minutes = spec.resources.timeMinutes;
  return {
    id,
    spec,
    slots: Math.min(maxSlots, Math.max(1, Math.ceil(spec.resources.cpus ?? 1))),
    limitSeconds: minutes === undefined ? 0 : Math.round(minutes * 60_000) / 1000, // as `timeout` gets it
    phase: 'waiting',
    held: false,
    heldOnDisk: false,
    cancelled: false,
    suspended: false,
    unmet: 1,
    dependents: [],
  };
}

/** The status of a task this runner holds. */
export function localTaskStatus(task: LocalTask, host: string): TaskStatus {
  switch (task.phase) {
    case 'waiting':
    case 'ready':
      return { state: task.held || task.heldOnDisk ? 'held' : 'queued' };
    case 'running':
      return { state: isStopped(task) ? 'suspended' : 'running', host, startedAt: task.startedAt ?? 0 };
    case 'ended':
      return task.status ?? { state: 'unknown' };
  }
}

/**
 * Whether a task handed to the launcher ahead (`atLauncher`) waits there for a slot: the tasks started
 * before it, or handed over before it, fill the `slots` (the launcher starts them first in, first out).
 */
export function waitsForSlot(task: LocalTask, running: Iterable<LocalTask>, slots: number): boolean {
  if (task.atLauncher !== true || task.seq === undefined) return false;
  let taken = task.slots;
  for (const other of running) {
    if (other !== task && (other.atLauncher !== true || (other.seq ?? 0) < task.seq)) taken += other.slots;
  }
  return taken > slots;
}

/**
 * Suspended by this runner, or by another one (a `cohort grid suspend` from a second shell signals the
 * group directly): /proc tells either way, at one small read per running task. A stop asked for before
 * the launcher reported the pid is only a wish until `started` sends it: the task still runs meanwhile,
 * and saying "suspended" then let a caller act on a stop that had not happened (the contract test's task
 * passed its gate and finished).
 */
function isStopped(task: LocalTask): boolean {
  const pid = task.pid;
  if (pid === undefined) return false;
  const stat = readProcStat(pid);
  return stat === undefined ? task.suspended : stat.state === 'T';
}

/**
 * The status of a task whose wrapper exited with `code` (undefined: it could not be started, `error`
 * says why). `why`: the launcher could not start it (code 126 or 127) and says why, e.g. `cannot create
 * stdout.log: No space left on device`.
 */
export function exitedStatus(
  task: LocalTask,
  code: number | undefined,
  host: string,
  error?: unknown,
  why?: string,
): TaskStatus {
  const endedAt = Date.now();
  if (code !== undefined && why !== undefined && !task.cancelled) {
    const reason = `could not start: ${why}`;
    return { state: 'error', cause: 'could-not-start', exitCode: code, reason, host, endedAt };
  }
  if (code === undefined) {
    const why = existsSync(task.spec.cwd)
      ? error instanceof Error
        ? error.message
        : String(error)
      : `working folder ${task.spec.cwd} does not exist`;
    return { state: 'error', cause: 'could-not-start', reason: `could not start: ${why}`, host, endedAt };
  }
  const started = task.startedAt === undefined ? {} : { startedAt: task.startedAt };
  return taskOutcome({
    code,
    // Another runner's cancel leaves only its marker on disk.
    cancelled: task.cancelled || isCancelled(task.id),
    limited: task.limitSeconds > 0,
    host,
    endedAt,
    ...started,
  });
}
