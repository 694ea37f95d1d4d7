import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TaskSpec, TaskStatus } from '../executor.js';
import type { AdoptedTasks } from './adopted-tasks.js';
import { newLocalTask, type LocalTask, type Waiter } from './local-task.js';
import { ReadyQueue } from './ready-queue.js';
import {
  clearStateFiles,
  isCancelled,
  isHeld,
  markCancelled,
  NEW_FOLDER,
  readMarkerStamp,
  writeUnrunExit,
} from './task-files.js';
import { taskOutcome } from './task-outcome.js';

/** What the scheduler asks of its owner. */
export interface SchedulerHooks {
  readonly host: string;
  /** Tasks of earlier runners, for dependencies on them. */
  readonly adopted: AdoptedTasks;
  /** Starts a task that got its slots; it must end with `exited` (also when it cannot start). */
  start(task: LocalTask): void;
  /** Told of every end, after the tasks that could start have started. */
  ended(id: string, status: TaskStatus): void;
}

/**
 * The queue of one LocalExecutor: tasks by id, dependencies, `slots` accounting and FIFO start order
 * (ready-queue.ts). It knows nothing of processes; the executor starts them through `hooks.start`.
 */
export class TaskScheduler {
  readonly tasks = new Map<string, LocalTask>();
  private readonly ready = new ReadyQueue<LocalTask>();
  private readonly endedEvents: [string, TaskStatus][] = [];
  private usedSlots = 0;
  /** Tasks added and not yet ended (waiting, ready or running). */
  private unended = 0;
  private pumping = false;
  private pumpAgain = false;
  stopped = false;
  /** No start until the owner clears it (a full disk: it tries again at its next watch). */
  paused = false;

  /**
   * `ahead`: slots beyond `slots` that started tasks may take while they wait at a launcher that
   * queues them (LocalExecutor hands a few ready tasks over before a slot frees).
   */
  constructor(
    readonly slots: number,
    private readonly hooks: SchedulerHooks,
    private readonly ahead = 0,
  ) {}

  /**
   * Registers a task and its dependencies: executor ids (held here, or of an earlier runner; an unknown
   * one counts as failed) or `earlier` taskIds of the same submit call. `present`: the folder's files, when
   * the caller listed them already.
   */
  add(id: string, spec: TaskSpec, earlier: ReadonlyMap<string, string>, present?: ReadonlySet<string>): void {
    const task = newLocalTask(id, spec, this.slots);
    this.tasks.set(id, task);
    this.unended++;
    try {
      // A folder with files in it exists, and NEW_FOLDER was just made: one mkdir fewer per task.
      if (present !== NEW_FOLDER && (present === undefined || present.size === 0))
        mkdirSync(id, { recursive: true });
      clearStateFiles(id, present); // of an earlier run in the same folder
    } catch (error) {
      this.end(task, {
        state: 'error',
        cause: 'could-not-start',
        reason: `cannot use log folder: ${(error as Error).message}`,
      });
      return;
    }
    for (const dependency of spec.after) {
      task.unmet++;
      const waiter = { task, kind: dependency.kind };
      const dependencyId = earlier.get(dependency.id) ?? dependency.id;
      const other = this.tasks.get(dependencyId);
      if (other?.phase === 'ended') this.settle([waiter], other.status ?? { state: 'unknown' });
      else if (other !== undefined) other.dependents.push(waiter);
      else {
        const ended = this.hooks.adopted.wait(dependencyId, waiter);
        if (ended !== undefined) this.settle([waiter], ended);
      }
    }
    this.settle([{ task, kind: 'any' }], { state: 'done' }); // the submit itself, counted in `unmet`
  }

  /** A dependency of `waiters` ended with `status`: fails or readies them, and so on down the chain. */
  settle(waiters: Waiter[], status: TaskStatus): void {
    const work: [Waiter[], TaskStatus][] = [[waiters, status]];
    for (let item = work.pop(); item !== undefined; item = work.pop()) {
      const [list, ended] = item;
      for (const { task, kind } of list) {
        if (task.phase !== 'waiting') continue;
        task.unmet--;
        if (kind === 'ok' && ended.state !== 'done') {
          const dependents = task.dependents;
          task.dependents = [];
          work.push([dependents, this.endUnrun(task, false, false)]);
        } else if (task.unmet === 0) {
          task.phase = 'ready';
          this.ready.push(task);
        }
      }
    }
  }

  /** Ends a task that never ran (cancelled, or a dependency failed), on disk too for later runners. */
  endUnrun(task: LocalTask, cancelled: boolean, propagate = true): TaskStatus {
    task.cancelled = cancelled;
    try {
      if (cancelled) markCancelled(task.id);
      writeUnrunExit(task.id, cancelled, this.hooks.host, Date.now());
    } catch {
      // The folder is gone: the status in memory is all there is.
    }
    const ending = { code: undefined, cancelled, limited: false, host: this.hooks.host, endedAt: Date.now() };
    const status = taskOutcome(ending);
    this.end(task, status, propagate);
    return status;
  }

  /**
   * Obeys the markers other processes left on tasks still queued here: a `cancelled` one ends the task
   * unrun, a `held` one keeps it from starting (until the marker is gone). Reads one stamp per folder of
   * task folders (task-files.ts), and the markers of its tasks only when that stamp changed.
   */
  readMarkers(): void {
    const changed = new Map<string, boolean>();
    for (const task of this.tasks.values()) {
      if (task.phase !== 'waiting' && task.phase !== 'ready') continue;
      const parent = dirname(task.id);
      let look = changed.get(parent);
      if (look === undefined) {
        look = this.stampChanged(parent);
        changed.set(parent, look);
      }
      if (!look) continue;
      if (isCancelled(task.id)) this.endUnrun(task, true);
      else task.heldOnDisk = isHeld(task.id);
    }
  }

  /** Stamps last read, by folder of task folders. */
  private readonly stamps = new Map<string, string>();

  private stampChanged(parent: string): boolean {
    const stamp = readMarkerStamp(parent);
    if (stamp === undefined || this.stamps.get(parent) === stamp) return false;
    this.stamps.set(parent, stamp);
    return true;
  }

  /** Marks a started task (see `start`) ended and frees its slots. */
  exited(task: LocalTask, status: TaskStatus): void {
    if (task.phase !== 'running') return;
    this.usedSlots -= task.slots;
    this.end(task, status);
  }

  /**
   * Starts what fits, then tells of ends (after starting: the next task should not wait for a
   * listener). Re-entered from a start that failed at once, it only asks the running pass to look again.
   */
  pump(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        const free = this.slots + this.ahead - this.usedSlots;
        // No look for a `cancelled` marker here: both launchers look right before they spawn, later
        // than this could, and end a task cancelled by another process since the last watch (143).
        for (const task of this.ready.take(this.paused ? 0 : free)) {
          task.phase = 'running';
          task.startedAt = Date.now();
          this.usedSlots += task.slots;
          this.hooks.start(task);
        }
        this.ready.compact();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
    for (const [id, status] of this.endedEvents.splice(0)) this.hooks.ended(id, status);
  }

  /**
   * A started task (see `start`) that could not be handed to its launcher for want of disk space: it
   * waits in the queue again (its status `queued`), and no task starts until `paused` is cleared.
   */
  requeue(task: LocalTask): void {
    if (task.phase !== 'running') return;
    this.usedSlots -= task.slots;
    task.phase = 'ready';
    task.startedAt = undefined;
    this.ready.putBack(task);
    this.paused = true;
  }

  /**
   * A started task its launcher gave back before starting it (it was held or cancelled meanwhile): it
   * frees its slots and waits in the queue again, behind the tasks ready now.
   */
  giveBack(task: LocalTask): void {
    if (task.phase !== 'running') return;
    this.usedSlots -= task.slots;
    task.phase = 'ready';
    task.startedAt = undefined;
    this.ready.putBack(task);
  }

  /** Queues an end to tell of at the next `pump` (for tasks that ended elsewhere, e.g. adopted ones). */
  tell(id: string, status: TaskStatus): void {
    this.endedEvents.push([id, status]);
  }

  /** Whether every task added here has ended (none waits, is ready or runs). */
  get idle(): boolean {
    return this.unended === 0;
  }

  private end(task: LocalTask, status: TaskStatus, propagate = true): void {
    if (task.phase !== 'ended') this.unended--;
    task.phase = 'ended';
    task.status = status;
    task.pid = undefined;
    clearTimeout(task.killTimer);
    this.tell(task.id, status);
    if (propagate) {
      const dependents = task.dependents;
      task.dependents = [];
      this.settle(dependents, status);
    }
  }
}
