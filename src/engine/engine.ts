import { join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { getProjectById, type Project } from '../catalog/project-store.js';
import type { Dependency, Executor, TaskSpec, TaskStatus } from '../executors/executor.js';
import { EXECUTOR_KINDS, type ExecutorKind } from '../executors/executor-kinds.js';
import { ExecutorSet } from '../executors/executor-set.js';
import {
  groupedUnitSpec,
  lastErrorLine,
  readTaskFolder,
  stepStatus,
  type StepSpec,
} from '../executors/index.js';
import type { EngineListener } from './engine-listener.js';
import { statement } from '../db/statement-cache.js';
import { finishTask } from './finish-task.js';
import type { RunMode } from './run-modes.js';
import { isEnded, type TaskState } from './task-states.js';
import {
  activeCountOfRun,
  activeTaskHeads,
  activeTaskHeadsById,
  activeTasks,
  getTask,
  tasksOfRun,
  updateTask,
  type TaskHead,
  type TaskProvenance,
  type TaskRow,
} from './task-store.js';
import { launchEnvironment } from './task-environment.js';
import { readJobCredential } from './job-credential.js';

const SINGLE_TASK_MODES: readonly string[] = ['chained', 'unordered'] satisfies readonly RunMode[];

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
 */
export class Engine {
  private readonly projects = new Map<number, Project>();

  private readonly executors: ExecutorSet;
  /** Runs this engine submitted or resumed: their deferred units are its to hand over. */
  private readonly runs = new Set<number>();
  /** Units left pending by the last submit because their earlier job runs on another engine. */
  private deferred = 0;
  private pollCount = 0;
  /** Active tasks as of the last full poll and later submits: task ids by kind and executor id. */
  private known = new Map<ExecutorKind, Map<string, number[]>>();

  /** `executors`: one executor, or a set that makes one per engine kind on first use. */
  constructor(
    private readonly catalog: Catalog,
    executors: ExecutorSet | Executor,
    private readonly listeners: readonly EngineListener[] = [],
  ) {
    this.executors = executors instanceof ExecutorSet ? executors : ExecutorSet.of(executors);
  }

  /** Submits every pending task of a run, unit by unit, chaining units of one item when asked. */
  async submitRun(runId: number): Promise<void> {
    this.runs.add(runId);
    const tasks = tasksOfRun(this.catalog.db, runId).filter((t) => t.state === 'pending');
    await this.submitTasks(tasks, true);
  }

  /**
   * Submits tasks grouped by unit, one executor call per engine kind. `chain` makes the units of one
   * item wait for each other in job order (run mode chained); the dependency is `ok` when the earlier
   * job breaks the item on error. A unit whose earlier job runs on another engine stays `pending` (no
   * scheduler can wait for another's job): `poll` submits it once that job ended, or skips it.
   */
  private async submitTasks(tasks: readonly TaskRow[], chain: boolean): Promise<void> {
    const units = groupBy(tasks, (t) => `${t.run_id}\u0000${t.unit}`);
    const calls = new Map<ExecutorKind, { specs: TaskSpec[]; groups: TaskRow[][] }>();
    const previousOfItem = new Map<string, Previous>();
    const skipped: TaskRow[] = [];
    for (const group of units.values()) {
      const first = group[0];
      if (first === undefined) continue;
      const kind = first.executor as ExecutorKind;
      const itemKey = `${first.run_id}\u0000${first.item}`;
      const chained = chain && this.runMode(first.run_id) === 'chained';
      const previous = chained ? (previousOfItem.get(itemKey) ?? this.previousInDb(first)) : undefined;
      const breaks = provenanceOf(group[group.length - 1] ?? first).onError === 'break';
      const after: Dependency[] = [];
      if (previous !== undefined) {
        if (previous.state === 'pending' || (!isEnded(previous.state) && previous.kind !== kind)) {
          previousOfItem.set(itemKey, { ...previous, state: 'pending' }); // later units wait too
          this.deferred++;
          continue;
        }
        if (isEnded(previous.state) && previous.breaks && previous.state !== 'done') {
          skipped.push(...group);
          previousOfItem.set(itemKey, { id: '', kind, breaks, state: 'skipped' });
          continue;
        }
        if (!isEnded(previous.state)) after.push({ id: previous.id, kind: previous.breaks ? 'ok' : 'any' });
      }
      const spec = this.unitSpec(group, after);
      previousOfItem.set(itemKey, { id: spec.taskId, kind, breaks, state: 'queued' });
      const call = calls.get(kind) ?? { specs: [], groups: [] };
      calls.set(kind, call);
      call.specs.push(spec);
      call.groups.push(group);
    }
    this.skipUnrun(skipped);
    for (const [kind, call] of calls) {
      // One call per engine: dependencies name taskIds earlier in the call, so a cluster executor can
      // turn the units of one job into an array job and the chain into array dependencies.
      const ids = await this.executors.get(kind).submit(call.specs);
      const queuedAt = Date.now();
      this.writing(() => {
        call.groups.forEach((group, i) => {
          const id = ids[i];
          for (const task of group) {
            this.change(task, { state: 'queued', executor_id: id ?? null, queued_at: queuedAt });
            if (id !== undefined) this.remember(kind, id, task.id);
          }
        });
      })();
    }
  }

  /** The item's job before this unit's, as the database has it (a unit submitted in an earlier call). */
  private previousInDb(task: TaskRow): Previous | undefined {
    const row = statement(
      this.catalog.db,
      `SELECT state, executor, executor_id, resolved FROM tasks
       WHERE run_id = ? AND item = ? AND job_index < ? ORDER BY job_index DESC LIMIT 1`,
    ).get(task.run_id, task.item, task.job_index) as
      Pick<TaskRow, 'state' | 'executor' | 'executor_id' | 'resolved'> | undefined;
    if (row === undefined) return undefined;
    return {
      id: row.executor_id ?? '',
      kind: row.executor as ExecutorKind,
      breaks: (JSON.parse(row.resolved) as TaskProvenance).onError === 'break',
      state: row.state,
    };
  }

  /** Ends tasks whose item broke at an earlier job before they were handed to any executor. */
  private skipUnrun(tasks: readonly TaskRow[]): void {
    if (tasks.length === 0) return;
    const now = Date.now();
    this.writing(() => {
      for (const task of tasks)
        this.change(task, {
          state: 'skipped',
          error: 'not run: an earlier job of this item failed',
          ended_at: now,
        });
    })();
  }

  /** Hands over the units that waited for an earlier job on another engine, once it ended. */
  private async submitDeferred(): Promise<void> {
    if (this.deferred === 0) return;
    this.deferred = 0;
    const runs = [...this.runs];
    const pending = statement(
      this.catalog.db,
      `SELECT * FROM tasks WHERE state = 'pending' AND run_id IN (SELECT value FROM json_each(?)) ORDER BY id`,
    ).all(JSON.stringify(runs)) as TaskRow[];
    await this.submitTasks(pending, true);
  }

  private unitSpec(group: readonly TaskRow[], after: Dependency[]): TaskSpec {
    const first = group[0] as TaskRow;
    const p = provenanceOf(first);
    const resources =
      p.placement?.resources ??
      (p.job as { options?: { resources?: TaskSpec['resources'] } }).options?.resources ??
      {};
    const placement = { resources, schedulerArgs: p.placement?.schedulerArgs ?? [] };
    if (group.length === 1) {
      return {
        taskId: `task-${first.id}`,
        argv: p.argv,
        env: this.envOf(first),
        cwd: p.cwd,
        logDir: first.log_dir,
        ...placement,
        after,
        // The same job over many items: one array job on a cluster.
        arrayKey: `${first.run_id}:${first.job_index}`,
      };
    }
    const unitDir = join(first.log_dir, '..', `unit-${first.unit.replace(/[^\w.-]+/g, '_')}`);
    const steps: StepSpec[] = group.map((t) => {
      const tp = provenanceOf(t);
      return {
        taskId: `task-${t.id}`,
        logDir: t.log_dir,
        cwd: tp.cwd,
        argv: tp.argv,
        env: provenanceOf(t).env,
        breakOnError: tp.onError === 'break',
        group: t.item,
      };
    });
    const unit = { taskId: `unit-${first.run_id}-${first.unit}`, logDir: unitDir, env: this.envOf(first) };
    return groupedUnitSpec({ ...unit, ...placement, after, arrayKey: `${first.run_id}:units` }, steps);
  }

  /**
   * Asks each executor about its active tasks (one call each) and records what changed, then hands
   * over units that waited for an earlier job on another engine. Between full polls (every
   * FULL_POLL_EVERY-th), an executor that tells its changes is asked only about those: with a
   * thousand tasks queued, a poll then costs what the few that started or ended cost.
   */
  async poll(): Promise<void> {
    const full = this.pollCount++ % FULL_POLL_EVERY === 0;
    const active = full
      ? activeTaskHeads(this.catalog.db).filter((t) => t.executor_id !== null)
      : this.changedHeads();
    if (full) {
      for (const kind of EXECUTOR_KINDS) this.executors.existing(kind)?.takeChanges?.();
      this.known = new Map();
      for (const t of active) this.remember(t.executor as ExecutorKind, t.executor_id as string, t.id);
    }
    for (const [kind, heads] of groupBy(active, (t) => t.executor)) {
      const ids = [...new Set(heads.map((t) => t.executor_id as string))];
      const statuses = await this.executors.get(kind as ExecutorKind).status(ids);
      // One transaction for all changes of a poll: one commit instead of one per task.
      this.writing(() => {
        for (const task of heads) {
          const status = statuses.get(task.executor_id as string) ?? { state: 'unknown' };
          // In grouped run modes one scheduler job runs several tasks: each task's own files tell its state.
          const grouped = !SINGLE_TASK_MODES.includes(this.runMode(task.run_id));
          this.apply(task, grouped ? stepStatus(task.log_dir, status) : status);
        }
      })();
    }
    await this.submitDeferred();
  }

  /**
   * The active tasks worth asking about between full polls: those whose executor reports a change (or
   * cannot tell changes), and every task of a unit that runs several (their own files tell their state).
   */
  private changedHeads(): TaskHead[] {
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
  private apply(task: TaskHead, status: TaskStatus): TaskState {
    let state: TaskState;
    switch (status.state) {
      case 'unknown':
        return task.state; // reconcile() decides about tasks the executor does not know
      case 'error':
        state =
          status.reason === 'dependency failed'
            ? 'skipped'
            : provenanceOf(this.full(task)).onError === 'ignore'
              ? 'done'
              : 'error';
        break;
      default:
        state = status.state;
    }
    if (state === task.state) return state;
    const update = {
      state,
      ...(status.exitCode === undefined ? {} : { exit_code: status.exitCode }),
      ...(status.host === undefined ? {} : { host: status.host }),
      ...(status.startedAt === undefined
        ? state === 'running' && task.started_at === null
          ? { started_at: Date.now() }
          : {}
        : { started_at: status.startedAt }),
      ...(isEnded(state) ? { ended_at: status.endedAt ?? Date.now() } : {}),
      ...(state === 'error' || state === 'killed' || state === 'skipped'
        ? { error: errorText(task, status) }
        : {}),
    };
    if (state === 'done') {
      const problem = finishTask(this.catalog, this.project(task.project_id), this.full(task));
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
    const lostUnits = new Set(lost.map((t) => `${t.run_id}\u0000${t.unit}`));
    const resubmit = active.filter(
      (t) => lostUnits.has(`${t.run_id}\u0000${t.unit}`) && readTaskFolder(t.log_dir).kind === 'not-started',
    );
    await this.submitTasks(resubmit, true);
    return resubmit.length;
  }

  async waitForRun(
    runId: number,
    options: { pollMs?: number; signal?: AbortSignal } = {},
  ): Promise<TaskRow[]> {
    for (;;) {
      await this.poll();
      if (activeCountOfRun(this.catalog.db, runId) === 0 || options.signal?.aborted === true) {
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
    return () => this.catalog.db.transaction(fn).immediate();
  }

  private change(task: TaskHead, update: Parameters<typeof updateTask>[2]): void {
    updateTask(this.catalog.db, task.id, update);
    if (this.listeners.length === 0) return;
    const after = getTask(this.catalog.db, task.id);
    if (after === undefined) return;
    for (const l of this.listeners) l.taskChanged?.(after, task.state);
  }

  /** The whole row, provenance included, of a task the poll read only the head of. */
  private full(task: TaskHead): TaskRow {
    const row = getTask(this.catalog.db, task.id);
    if (row === undefined) throw new Error(`task ${task.id} disappeared while running`);
    return row;
  }

  private readonly modes = new Map<number, string>();

  private readonly credentials = new Map<number, string | undefined>();

  private envOf(task: TaskRow): Record<string, string> {
    const env = launchEnvironment(this.catalog.config, provenanceOf(task).env);
    if (!this.credentials.has(task.run_id))
      this.credentials.set(task.run_id, readJobCredential(this.catalog.config.home, task.run_id));
    const token = this.credentials.get(task.run_id);
    return token === undefined ? env : { ...env, COHORT_TOKEN: token };
  }

  private runMode(runId: number): string {
    let mode = this.modes.get(runId);
    if (mode === undefined) {
      mode = String(statement(this.catalog.db, 'SELECT run_mode FROM runs WHERE id = ?').pluck().get(runId));
      this.modes.set(runId, mode);
    }
    return mode;
  }

  private project(id: number): Project {
    let p = this.projects.get(id);
    if (p === undefined) {
      p = getProjectById(this.catalog.db, id);
      this.projects.set(id, p);
    }
    return p;
  }
}

/** What a unit's submission needs to know of the item's job before it. */
interface Previous {
  /** A taskId earlier in the same submit call, or the executor id of a task submitted before. */
  readonly id: string;
  readonly kind: ExecutorKind;
  readonly breaks: boolean;
  readonly state: TaskState;
}

function provenanceOf(task: TaskRow): TaskProvenance {
  return JSON.parse(task.resolved) as TaskProvenance;
}

function errorText(task: TaskHead, status: TaskStatus): string {
  if (status.reason === 'dependency failed') return 'not run: an earlier job of this item failed';
  const last = lastErrorLine(task.log_dir);
  return [status.reason ?? status.state, last].filter((x) => x !== undefined && x !== '').join(': ');
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list === undefined) map.set(k, [item]);
    else list.push(item);
  }
  return map;
}
