import { GROUP_ITEM } from '../batches/batch-resolution.js';
import type { Catalog } from '../catalog/catalog.js';
import type { Executor, TaskSpec, TaskStatus } from '../executors/executor.js';
import { EXECUTOR_KINDS, type ExecutorKind } from '../executors/executor-kinds.js';
import { ExecutorSet } from '../executors/executor-set.js';
import { exitStatus, lastErrorLine, readTaskFolder, stepStatus } from '../executors/index.js';
import { redactSecrets } from '../users/secret-token.js';
import { damageOf, damagedText, onErrorOf, reportDamaged, screenProvenance } from './damaged-tasks.js';
import type { EngineListener } from './engine-listener.js';
import { EndedFolders } from './ended-folders.js';
import { EngineLookups } from './engine-lookups.js';
import { finishTask } from './finish-task.js';
import { groupBy, planUnitSubmission, type PlannedUnit, type PreviousJob } from './plan-units.js';
import type { TaskProvenance } from './provenance.js';
import type { RunMode } from './run-modes.js';
import type { CreatedTasks } from './run-builder.js';
import {
  activeTaskHeads,
  activeTaskHeadsById,
  activeTasks,
  hasActiveTasks,
  pendingTasksOfRuns,
  previousTaskOfItem,
  previousTasksOfItems,
  tasksOfJob,
  tasksOfRun,
  updateTask,
  updatedRow,
  type TaskRow,
  type TaskUpdate,
} from './store/task-store.js';
import { stateFromStatus, statusUpdate, NOT_RUN_TEXT } from './status-update.js';
import { RunEnvironments } from './run-environments.js';
import { isEnded, type TaskState } from './task-states.js';
import { unitSpec } from './unit-spec.js';

const SINGLE_TASK_MODES: readonly RunMode[] = ['chained', 'unordered'];

/** How often `waitForRun` asks the executor; local ends also arrive between polls via the files. */
export const DEFAULT_POLL_MS = 250;

/**
 * Every how many polls the engine asks about every active task, also where the executor tells its
 * changes: another process may have suspended or killed one (2 s at the default interval).
 */
const FULL_POLL_EVERY = 8;

/**
 * Drives tasks through their states: hands units to an executor with their dependencies, polls their
 * status (one call for all), records every change in the database (so a restarted engine loses
 * nothing), registers outputs of successful tasks, and reconciles with the executor after a restart.
 * Only a run's owner (run-owner.ts) drives it: everything else reads the store.
 */
export class Engine {
  private readonly executors: ExecutorSet;
  /** Runs this engine submitted or resumed: their deferred units are its to hand over. */
  private readonly runs = new Set<number>();
  /** Units left pending by the last submit because their earlier job runs on another engine. */
  private deferred = 0;
  private pollCount = 0;
  /** How many tasks the last `reconcile` submitted again. */
  lastResubmitted = 0;
  /** Active tasks as of the last full poll and later submits: task ids by kind and executor id. */
  private known = new Map<ExecutorKind, Map<string, number[]>>();
  /** Projects, run modes and recent task provenances, read once. */
  private readonly lookups: EngineLookups;
  private readonly environments: RunEnvironments;
  /** Changes written in the transaction under way, told to listeners once it commits. */
  private unheard: [TaskRow, TaskState][] = [];
  /** Folders of tasks whose end is committed: compacted when their run ends (`compactEnded`). */
  private readonly endedFolders = new EndedFolders();
  /** While a created chunk is submitted: its tasks' previous jobs' rows (`submitCreated`). */
  private previousRows: ReadonlyMap<string, TaskRow> | undefined;

  /** `executors`: one executor, or a set that makes one per engine kind on first use. */
  constructor(
    private readonly catalog: Catalog,
    executors: ExecutorSet | Executor,
    private readonly listeners: readonly EngineListener[] = [],
  ) {
    this.executors = executors instanceof ExecutorSet ? executors : ExecutorSet.of(executors);
    this.environments = new RunEnvironments(catalog);
    this.lookups = new EngineLookups(catalog);
  }

  /** Makes the engine poll a run it did not submit (its owner's claim is the caller's to hold). */
  track(runIds: readonly number[]): void {
    for (const runId of runIds) this.runs.add(runId);
  }

  /** Stops polling runs given to `track`. */
  untrack(runIds: readonly number[]): void {
    for (const runId of runIds) this.runs.delete(runId);
  }

  /** Submits every pending task of a run, unit by unit, chaining units of one item when asked. */
  async submitRun(runId: number): Promise<void> {
    this.runs.add(runId);
    const tasks = tasksOfRun(this.catalog.db, runId).filter((t) => t.state === 'pending');
    await this.submitTasks(tasks, true);
  }

  /**
   * Submits tasks of a run this process has just created (a chunk of it), with the provenances it
   * built: neither the rows nor the provenances are read back. Their earlier jobs' tasks, in earlier
   * chunks, are found in the database as for any later submit.
   */
  async submitCreated(runId: number, created: CreatedTasks): Promise<void> {
    this.runs.add(runId);
    this.lookups.know(created.provenances);
    // A run created in chunks has no group-level job: an item's job before is the one right before.
    this.previousRows = previousTasksOfItems(this.catalog.db, runId, created.rows);
    try {
      await this.submitTasks(created.rows, true);
    } finally {
      this.previousRows = undefined;
    }
  }

  /** Submits tasks as planned (plan-units.ts): one executor call per engine kind. */
  private async submitTasks(all: readonly TaskRow[], chain: boolean): Promise<void> {
    const { readable: tasks, damaged } = screenProvenance(all, (id) => this.provenance(id));
    this.endUnrun(reportDamaged(damaged));
    const plan = planUnitSubmission(tasks, chain, {
      runMode: (runId) => this.lookups.runMode(runId),
      breaks: (task) => this.provenance(task.id).onError === 'break',
      isGroup: (task) => task.item === GROUP_ITEM && this.provenance(task.id).job.level === 'group',
      previousInDb: (task) => this.previousInDb(task),
      jobInDb: (runId, jobIndex) =>
        new Map(tasksOfJob(this.catalog.db, runId, jobIndex).map((row) => [row.item, this.previousOf(row)])),
    });
    this.deferred += plan.deferred;
    this.endUnrun(plan.skip.map((task) => ({ task, state: 'skipped', error: NOT_RUN_TEXT })));
    for (const [kind, units] of groupBy(plan.submit, (u) => u.kind)) {
      // One call per engine: dependencies name taskIds earlier in the call, so a cluster executor can
      // turn the units of one job into an array job and the chain into array dependencies.
      const specs: TaskSpec[] = units.map((u) => this.spec(u));
      const ids = await this.executors.get(kind as ExecutorKind).submit(specs);
      const queuedAt = Date.now();
      this.writing(() => {
        units.forEach((unit, i) => {
          const id = ids[i];
          for (const task of unit.tasks) {
            this.change(task, { state: 'queued', executor_id: id ?? null, queued_at: queuedAt });
            if (id !== undefined) this.remember(unit.kind, id, task.id);
          }
        });
      })();
    }
  }

  private spec(unit: PlannedUnit): TaskSpec {
    const first = unit.tasks[0] as TaskRow;
    return unitSpec(unit, (id) => this.provenance(id), this.envOf(first));
  }

  private previousInDb(task: TaskRow): PreviousJob | undefined {
    const row =
      this.previousRows?.get(`${task.item}\u0000${task.job_index}`) ??
      previousTaskOfItem(this.catalog.db, task, GROUP_ITEM);
    return row === undefined ? undefined : this.previousOf(row);
  }

  private previousOf(row: TaskRow): PreviousJob {
    return {
      id: row.executor_id ?? '',
      kind: row.executor,
      breaks: onErrorOf(() => this.provenance(row.id)) === 'break',
      state: row.state,
      jobIndex: row.job_index,
    };
  }

  /** Ends tasks never handed to an executor: skipped (their item broke earlier), or a damaged record's. */
  private endUnrun(ends: readonly { task: TaskRow; state: TaskState; error: string }[]): void {
    if (ends.length === 0) return;
    const now = Date.now();
    this.writing(() => {
      for (const { task, state, error } of ends) this.change(task, { state, error, ended_at: now });
    })();
  }

  /** Hands over the units that waited for an earlier job on another engine, once it ended. */
  private async submitDeferred(): Promise<void> {
    if (this.deferred === 0) return;
    this.deferred = 0;
    await this.submitTasks(pendingTasksOfRuns(this.catalog.db, [...this.runs]), true);
  }

  /**
   * Asks each executor about its active tasks (one call each) and records what changed, then hands
   * over units that waited for an earlier job on another engine. Between full polls (every
   * FULL_POLL_EVERY-th), an executor that tells its changes is asked only about those: with a
   * thousand tasks queued, a poll then costs what the few that started or ended cost.
   */
  async poll(): Promise<void> {
    await this.pollOnce();
    await this.submitDeferred();
  }

  private async pollOnce(): Promise<void> {
    const full = this.pollCount++ % FULL_POLL_EVERY === 0;
    const active = full
      ? activeTaskHeads(this.catalog.db, [...this.runs]).filter((t) => t.executor_id !== null)
      : this.changedHeads();
    if (full) {
      for (const kind of EXECUTOR_KINDS) this.executors.existing(kind)?.takeChanges?.();
      this.known = new Map();
      for (const t of active) this.remember(t.executor, t.executor_id as string, t.id);
    }
    for (const [kind, heads] of groupBy(active, (t) => t.executor)) {
      const ids = [...new Set(heads.map((t) => t.executor_id as string))];
      const statuses = await this.executors.get(kind as ExecutorKind).status(ids);
      const ended: TaskRow[] = [];
      // One transaction for all changes of a poll: one commit instead of one per task.
      this.writing(() => {
        for (const task of heads) {
          const status = statuses.get(task.executor_id as string) ?? { state: 'unknown' };
          // In grouped run modes one scheduler job runs several tasks: each task's own files tell its state.
          const grouped = !SINGLE_TASK_MODES.includes(this.lookups.runMode(task.run_id));
          const state = this.apply(task, grouped ? stepStatus(task.log_dir, status) : status);
          if (state !== task.state && isEnded(state)) ended.push(task);
        }
      })();
      // Only once their ends are committed: a crash before that must still find the exit records.
      for (const task of ended) this.endedFolders.note(task);
    }
  }

  /** Compacts the folders of the tasks of `runId` (default: of every run) whose end this engine committed. */
  compactEnded(runId?: number): void {
    this.endedFolders.compact(this.executors, runId);
  }

  /**
   * The active tasks worth asking about between full polls: those whose executor reports a change (or
   * cannot tell changes), and every task of a unit that runs several (their own files tell their state).
   */
  private changedHeads(): TaskRow[] {
    const ids: number[] = [];
    for (const [kind, byExecutorId] of this.known) {
      const changes = this.executors.existing(kind)?.takeChanges?.();
      for (const [executorId, taskIds] of byExecutorId) {
        if (changes === undefined || taskIds.length > 1 || changes.has(executorId)) ids.push(...taskIds);
      }
    }
    return ids.length === 0 ? [] : activeTaskHeadsById(this.catalog.db, ids);
  }

  private remember(kind: ExecutorKind, executorId: string, taskId: number): void {
    let byExecutorId = this.known.get(kind);
    if (byExecutorId === undefined) {
      byExecutorId = new Map<string, number[]>();
      this.known.set(kind, byExecutorId);
    }
    byExecutorId.set(executorId, [...(byExecutorId.get(executorId) ?? []), taskId]);
  }

  /** Records the status of a task; returns its state now. */
  private apply(task: TaskRow, status: TaskStatus): TaskState {
    const state = stateFromStatus(status, () => onErrorOf(() => this.provenance(task.id)));
    if (state === undefined) return task.state; // reconcile() decides about tasks the executor does not know
    if (state === task.state) return state;
    const update = statusUpdate(task, state, status, () => errorText(task, status));
    if (state === 'done') {
      const damage = damageOf(() => this.provenance(task.id));
      const problem =
        damage === undefined
          ? finishTask(this.catalog, this.lookups.project(task.project_id), task, this.provenance(task.id))
          : damagedText({ task, error: damage }).error;
      if (problem !== null) {
        this.change(task, { ...update, state: 'error', error: problem });
        return 'error';
      }
    }
    this.change(task, update);
    return state;
  }

  /**
   * After a restart: tasks the executor no longer knows (queued in a runner that died) are submitted
   * again; tasks that started are never started twice, the executor reports them from their files.
   */
  async reconcile(runIds?: readonly number[]): Promise<number> {
    const active = activeTasks(this.catalog.db).filter(
      (t) => runIds === undefined || runIds.includes(t.run_id),
    );
    for (const t of active) this.runs.add(t.run_id);
    const known = new Map<string, TaskStatus>();
    for (const [kind, tasks] of groupBy(active, (t) => t.executor)) {
      const ids = [...new Set(tasks.flatMap((t) => (t.executor_id === null ? [] : [t.executor_id])))];
      if (ids.length === 0) continue;
      for (const [id, status] of await this.executors.get(kind as ExecutorKind).status(ids))
        known.set(id, status);
    }
    const lost = active.filter(
      (t) => t.executor_id === null || (known.get(t.executor_id)?.state ?? 'unknown') === 'unknown',
    );
    // A task its executor no longer knows whose folder holds its end (a job the scheduler forgot, a
    // runner that died between the end and its write): that end is the truth, never a second run.
    const endedInFolder = lost.flatMap((t) => {
      const folder = readTaskFolder(t.log_dir);
      return folder.kind === 'ended' ? [{ task: t, status: exitStatus(folder.exit, folder.startedAt) }] : [];
    });
    this.writing(() => {
      for (const { task, status } of endedInFolder) this.apply(task, status);
    })();
    const lostUnits = new Set(lost.map((t) => `${t.run_id}\u0000${t.unit}`));
    const resubmit = active.filter(
      (t) => lostUnits.has(`${t.run_id}\u0000${t.unit}`) && readTaskFolder(t.log_dir).kind === 'not-started',
    );
    await this.submitTasks(resubmit, true);
    this.lastResubmitted = resubmit.length;
    return resubmit.length;
  }

  /** Polls until every task of the run ended (or `signal` aborts); returns its tasks. */
  async waitForRun(
    runId: number,
    options: { pollMs?: number; signal?: AbortSignal } = {},
  ): Promise<TaskRow[]> {
    for (;;) {
      await this.poll();
      if (!hasActiveTasks(this.catalog.db, runId) || options.signal?.aborted === true) {
        this.compactEnded(runId);
        return tasksOfRun(this.catalog.db, runId);
      }
      await new Promise((r) => setTimeout(r, options.pollMs ?? DEFAULT_POLL_MS));
    }
  }

  /**
   * Runs `fn` in a transaction that takes the write lock at its start (BEGIN IMMEDIATE). A deferred one
   * starts as a reader; when a job's `cohort add` commits in between, SQLite cannot upgrade it and fails
   * at once with "database is locked", without waiting for the busy timeout.
   */
  private writing(fn: () => void): () => void {
    return () => {
      this.unheard = [];
      try {
        this.catalog.db.transaction(fn).immediate();
      } catch (error) {
        this.unheard = []; // rolled back (a full disk, say): nothing changed, nothing to tell
        throw error;
      }
      const heard = this.unheard;
      this.unheard = [];
      for (const [after, previous] of heard) for (const l of this.listeners) l.taskChanged?.(after, previous);
    };
  }

  private change(task: TaskRow, update: TaskUpdate): void {
    const now = Date.now();
    updateTask(this.catalog.db, task.id, update, now);
    if (this.listeners.length > 0) this.unheard.push([updatedRow(task, update, now), task.state]);
  }

  private provenance(taskId: number): TaskProvenance {
    return this.lookups.provenance(taskId);
  }

  private envOf(task: TaskRow): Pick<TaskSpec, 'env' | 'sharedEnv'> {
    return this.environments.of(task.run_id, this.provenance(task.id).env);
  }
}

/** A failed task's error text: the reason, and the last line of its stderr. */
function errorText(task: TaskRow, status: TaskStatus): string {
  const last = lastErrorLine(task.log_dir);
  const text = [status.reason ?? status.state, last].filter((x) => x !== undefined && x !== '').join(': ');
  // A shell's report of a killed command line, or a job printing its environment, must not show a token.
  return redactSecrets(text);
}
