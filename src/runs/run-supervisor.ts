import type { Catalog } from '../catalog/catalog.js';
import { ExecutorSet } from '../executors/executor-set.js';
import { executorFactory } from '../executors/make-executor.js';
import { databaseProblem } from '../db/database-problem.js';
import { CohortError } from '../errors/cohort-error.js';
import { Engine } from './engine.js';
import type { EngineListener } from './engine-listener.js';
import { sweepDaily } from './collect-garbage.js';
import { endJobCredential, readJobCredential } from './job-credential.js';
import { JobSocket, type JobCommandRunner } from './job-socket/job-socket.js';
import { jobSocketPath } from './job-socket/job-socket-path.js';
import type { CreatedTasks } from './run-builder.js';
import { runProjectName } from './store/run-store.js';
import { claimRun, releaseRun } from './run-owner.js';
import { applyTaskAction, type ExecutorAction, type TaskActionResult } from './task-actions.js';
import {
  activeRunIds,
  hasActiveTasks,
  runHasIsolatedTasks,
  tasksOfRun,
  type TaskRow,
} from './store/task-store.js';

/** How often the owner asks the executors about the runs it drives. */
export const SUPERVISOR_POLL_MS = 250;

/** Something that takes a created run and drives it: a supervisor, or a runner started in the background. */
export interface RunDriver {
  /** Takes the run and submits it. @throws CohortError CONFLICT when another live runner owns it. */
  start(runId: number): Promise<void>;
  /**
   * Takes a run whose tasks are still being created, in this process: submits `first` (created with
   * the run), then each chunk `more` creates, up to the one marked `last`. Resolves once all are
   * submitted. A driver without it gets runs whole (`start`).
   */
  startCreating?(runId: number, first: CreatedTasks, more: () => CreatedTasks | undefined): Promise<void>;
}

interface Watched {
  readonly ended: Promise<TaskRow[]>;
  readonly resolve: (tasks: TaskRow[]) => void;
}

/**
 * The owner of runs: the one object that polls executors and writes task states. It owns the runs it
 * started or adopted (their claim in the run's folder names this process: queued local tasks live in
 * its memory), polls them in one loop until each ended, and releases them. `cohort run` and `cohort
 * resume` use one for their runs, the server one for all it drives; everything else only reads.
 * Polls never overlap: two concurrent polls could both see a task end and register its outputs twice,
 * so grid actions poll through {@link RunSupervisor.poll} too.
 */
export class RunSupervisor implements RunDriver {
  readonly executors: ExecutorSet;
  private readonly engine: Engine;
  private readonly owned = new Map<number, Watched>();
  /** Owned runs whose tasks are still being created (startCreating): not ended, whatever their tasks say. */
  private readonly creating = new Set<number>();
  private polling: Promise<void> = Promise.resolve();
  private loop: Promise<void> | undefined;
  private closed = false;
  /** The last poll failure said, so a full disk is one line, not four a second. */
  private lastProblem = '';
  private jobCommands: JobCommandRunner | undefined;
  /** The job socket of each owned run that has one. */
  private readonly sockets = new Map<number, JobSocket>();
  /** Ends the loop's wait between polls; set while it waits. */
  private wake: (() => void) | undefined;
  /** An executor went idle during a poll: the loop polls again without waiting. */
  private wakeEarly = false;

  constructor(
    private readonly catalog: Catalog,
    listeners: readonly EngineListener[] = [],
    private readonly pollMs = SUPERVISOR_POLL_MS,
    executors?: ExecutorSet,
  ) {
    // The last task's end is on a run's critical path: an executor that goes idle wakes the loop at
    // once instead of leaving up to a poll interval (250 ms) between that end and the answer.
    this.executors =
      executors ?? new ExecutorSet(executorFactory(catalog.config, { onIdle: () => this.wakeUp() }));
    this.engine = new Engine(catalog, this.executors, listeners);
  }

  /** Takes a created run, submits it and watches it until it ends. @throws CohortError CONFLICT when another runner owns it. */
  async start(runId: number): Promise<void> {
    await this.take(runId, () => this.engine.submitRun(runId));
    this.watch(runId);
  }

  /**
   * Takes a run while its tasks are created in chunks (RunDriver.startCreating): each chunk is
   * submitted as soon as it exists, so the first tasks run while the rest are created. The run is
   * watched from its first chunk on, and counts as ended only once every chunk was submitted.
   */
  async startCreating(
    runId: number,
    first: CreatedTasks,
    more: () => CreatedTasks | undefined,
  ): Promise<void> {
    await this.take(runId, () => this.engine.submitCreated(runId, first));
    this.creating.add(runId);
    this.watch(runId);
    try {
      for (let chunk = first; !chunk.last;) {
        // The event loop turns between chunks: the launcher's reports of starts and ends are read,
        // and the next ready tasks handed over, before the next chunk's creation takes this thread.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.closed) {
          throw new CohortError('NOT_AVAILABLE', `Run ${runId} was stopped while its tasks were created.`, {
            hint: '`cohort resume` runs the tasks it has, and tells how many of all it was to have exist.',
            context: { runId },
          });
        }
        const next = more();
        if (next === undefined) break;
        chunk = next;
        await this.serially(() => this.engine.submitCreated(runId, next));
      }
    } finally {
      this.creating.delete(runId);
      this.wakeUp(); // its tasks may all have ended already: the loop need not sleep before it looks
    }
  }

  /** Claims the run, opens its job socket and submits with `submit`; gives it up again if that fails. */
  private async take(runId: number, submit: () => Promise<void>): Promise<void> {
    const runsDir = this.catalog.runsDir;
    const owner = claimRun(runsDir, runId);
    if (owner !== undefined) {
      throw new CohortError('CONFLICT', `Run ${runId} is already run by process ${owner}.`, {
        hint: 'Watch it with `cohort grid`; it needs no second runner.',
        context: { runId, owner },
      });
    }
    try {
      // Before the first task starts: its `cohort add` finds the socket listening.
      await this.openJobSocket(runId);
      await submit();
    } catch (error) {
      await this.closeJobSocket(runId);
      releaseRun(runsDir, runId);
      throw error;
    }
  }

  /**
   * Answers the in-job commands (`cohort add/select/tag/record`) of the runs this supervisor owns from
   * now on, over a unix socket in each run's folder (job-socket/job-socket.ts), with `run`: the CLI's
   * lean entry. A job's `cohort` (libexec/cohort-client.c) then skips starting Node.
   */
  serveJobs(run: JobCommandRunner): void {
    this.jobCommands = run;
  }

  private async openJobSocket(runId: number): Promise<void> {
    const token = readJobCredential(this.catalog.runsDir, runId);
    const project = runProjectName(this.catalog.db, runId);
    if (this.jobCommands === undefined || token === undefined || project === undefined) return;
    // A sandboxed job may not write the catalog or the project's folders itself; through the owner it
    // could. Such runs keep the Node CLI, whose writes the sandbox limits as before.
    if (runHasIsolatedTasks(this.catalog.db, runId)) return;
    const socket = await JobSocket.open({
      path: jobSocketPath(this.catalog.runsDir, runId),
      token,
      project,
      databasePath: this.catalog.config.databasePath,
      run: this.jobCommands,
    });
    if (socket !== undefined) this.sockets.set(runId, socket);
  }

  private async closeJobSocket(runId: number): Promise<void> {
    const socket = this.sockets.get(runId);
    this.sockets.delete(runId);
    await socket?.close();
  }

  /**
   * Takes over runs with active tasks whose runner is gone (a server or `cohort run` that crashed),
   * like `cohort resume`: tasks that never started are submitted again, the others watched. Runs whose
   * runner still lives are left to it. `runIds`: only these (default: every run with active tasks).
   * Returns the run ids taken over.
   */
  async adopt(runIds: readonly number[] = activeRunIds(this.catalog.db)): Promise<number[]> {
    const runsDir = this.catalog.runsDir;
    const orphans = runIds.filter(
      (runId) => !this.owned.has(runId) && claimRun(runsDir, runId) === undefined,
    );
    if (orphans.length === 0) return [];
    try {
      for (const runId of orphans) await this.openJobSocket(runId);
      await this.engine.reconcile(orphans);
    } catch (error) {
      for (const runId of orphans) {
        await this.closeJobSocket(runId);
        releaseRun(runsDir, runId);
      }
      throw error;
    }
    for (const runId of orphans) this.watch(runId);
    return orphans;
  }

  /**
   * Applies an executor action to tasks (one result each, see applyTaskAction) and records what
   * changed. Runs that no live process owns are claimed for the moment of the action, so that their
   * new states are written by their (momentary) owner; runs another process owns are left to it.
   */
  async act(tasks: readonly TaskRow[], action: ExecutorAction): Promise<TaskActionResult[]> {
    const runsDir = this.catalog.runsDir;
    const runIds = [...new Set(tasks.map((t) => t.run_id))].filter((id) => !this.owned.has(id));
    const borrowed = runIds.filter((runId) => claimRun(runsDir, runId) === undefined);
    this.engine.track(borrowed);
    try {
      return await applyTaskAction(this.executors, tasks, action, () => this.poll());
    } finally {
      this.engine.untrack(borrowed);
      for (const runId of borrowed) {
        this.engine.compactEnded(runId);
        releaseRun(runsDir, runId);
      }
    }
  }

  /** The run's tasks once all ended (or when this supervisor closes first). */
  whenEnded(runId: number): Promise<TaskRow[]> {
    return this.owned.get(runId)?.ended ?? Promise.resolve(tasksOfRun(this.catalog.db, runId));
  }

  /** How many tasks `reconcile` submitted again in the last adopt (for the CLI's message). */
  get resubmitted(): number {
    return this.engine.lastResubmitted;
  }

  /** One poll of the executors, after any poll (or submit of a created chunk) in progress. */
  poll(): Promise<void> {
    return this.serially(() => this.engine.poll());
  }

  /** Runs `fn` after the poll or chunk submit in progress, and before the next. */
  private serially(fn: () => Promise<void>): Promise<void> {
    const next = this.polling.then(fn, fn);
    this.polling = next.catch(() => undefined);
    return next;
  }

  /** Runs this supervisor drives and that have not ended. */
  activeRuns(): readonly number[] {
    return [...this.owned.keys()];
  }

  /** Stops watching (tasks keep running; `cohort resume` picks their runs up) and closes the executors. */
  async close(): Promise<void> {
    this.closed = true;
    await this.loop;
    this.engine.compactEnded();
    for (const [runId, watched] of this.owned) {
      await this.closeJobSocket(runId);
      releaseRun(this.catalog.runsDir, runId);
      watched.resolve(tasksOfRun(this.catalog.db, runId));
    }
    this.owned.clear();
    await this.executors.close();
  }

  private tellProblem(error: unknown): void {
    const problem = databaseProblem(error, this.catalog.config.databasePath);
    const text =
      problem === undefined
        ? `cohort: poll failed: ${error instanceof Error ? error.message : String(error)}`
        : `cohort: cannot record task states: ${problem.message} Free some space: the run goes on and records them then (or stop it, and run \`cohort resume\` once there is room).`;
    if (text !== this.lastProblem) console.error(text);
    this.lastProblem = text;
  }

  private wakeUp(): void {
    if (this.wake === undefined) this.wakeEarly = true;
    else this.wake();
  }

  /** The pause between polls: `pollMs`, or less when an executor went idle. */
  private pause(): Promise<void> {
    if (this.wakeEarly) {
      this.wakeEarly = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, this.pollMs);
      this.wake = () => {
        this.wake = undefined;
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private watch(runId: number): void {
    let resolve: (tasks: TaskRow[]) => void = () => undefined;
    const ended = new Promise<TaskRow[]>((r) => (resolve = r));
    this.owned.set(runId, { ended, resolve });
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    while (!this.closed && this.owned.size > 0) {
      try {
        await this.poll();
        for (const [runId, watched] of [...this.owned]) {
          if (this.creating.has(runId) || hasActiveTasks(this.catalog.db, runId)) continue;
          // First what can fail on a full disk: the run stays watched, and the next poll tries again.
          endJobCredential(this.catalog.db, this.catalog.runsDir, runId);
          await this.closeJobSocket(runId);
          this.owned.delete(runId);
          this.engine.compactEnded(runId);
          releaseRun(this.catalog.runsDir, runId);
          watched.resolve(tasksOfRun(this.catalog.db, runId));
          sweepDaily(this.catalog);
        }
        this.lastProblem = '';
      } catch (error) {
        // A failing poll (database busy or full, an executor error) must not stop the watch of every
        // run: the executors keep the ends, and the next poll that can write records them.
        this.tellProblem(error);
      }
      if (this.owned.size > 0) await this.pause();
    }
    this.loop = undefined;
  }
}
