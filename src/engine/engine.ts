import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { getProjectById, type Project } from '../catalog/project-store.js';
import type { Dependency, Executor, TaskSpec, TaskStatus } from '../executors/executor.js';
import type { EngineListener } from './engine-listener.js';
import { statement } from '../db/statement-cache.js';
import { finishTask } from './finish-task.js';
import { lastErrorLine, readTaskFiles } from './task-files.js';
import type { RunMode } from './run-modes.js';
import { isEnded, type TaskState } from './task-states.js';
import {
  activeCountOfRun,
  activeTaskHeads,
  activeTasks,
  getTask,
  tasksOfRun,
  updateTask,
  type TaskHead,
  type TaskProvenance,
  type TaskRow,
} from './task-store.js';
import { launchEnvironment } from './task-environment.js';
import { unitScript, type UnitStep } from './unit-script.js';

const SINGLE_TASK_MODES: readonly string[] = ['chained', 'unordered'] satisfies readonly RunMode[];

/** How often `waitForRun` asks the executor; local ends also arrive between polls via the files. */
export const DEFAULT_POLL_MS = 250;

/**
 * Drives tasks through their states: hands units to an executor with their dependencies, polls their
 * status (one call for all), records every change in the database (so a restarted engine loses
 * nothing), registers outputs of successful tasks, and reconciles with the executor after a restart.
 */
export class Engine {
  private readonly projects = new Map<number, Project>();

  constructor(
    private readonly catalog: Catalog,
    private readonly executor: Executor,
    private readonly listeners: readonly EngineListener[] = [],
  ) {}

  /** Submits every pending task of a run, unit by unit, chaining units of one item when asked. */
  async submitRun(runId: number): Promise<void> {
    const tasks = tasksOfRun(this.catalog.db, runId).filter((t) => t.state === 'pending');
    await this.submitTasks(tasks, true);
  }

  /**
   * Submits tasks grouped by unit. `chain` makes the units of one item wait for each other in job order
   * (run mode chained); the dependency is `ok` when the earlier job breaks the item on error.
   */
  private async submitTasks(tasks: readonly TaskRow[], chain: boolean): Promise<void> {
    const units = groupBy(tasks, (t) => `${t.run_id}\u0000${t.unit}`);
    const specs: TaskSpec[] = [];
    const unitTasks: TaskRow[][] = [];
    const previousOfItem = new Map<string, { taskId: string; breaks: boolean }>();
    for (const group of units.values()) {
      const first = group[0];
      if (first === undefined) continue;
      const mode = this.runMode(first.run_id);
      const after: Dependency[] = [];
      const itemKey = `${first.run_id}\u0000${first.item}`;
      const previous = previousOfItem.get(itemKey);
      if (chain && mode === 'chained' && previous !== undefined) {
        after.push({ id: previous.taskId, kind: previous.breaks ? 'ok' : 'any' });
      }
      const spec = this.unitSpec(group, after);
      previousOfItem.set(itemKey, {
        taskId: spec.taskId,
        breaks: provenanceOf(group[group.length - 1] ?? first).onError === 'break',
      });
      specs.push(spec);
      unitTasks.push(group);
    }
    if (specs.length === 0) return;
    // One call for all: dependencies name taskIds earlier in the call, so a cluster executor can turn
    // the units of one job into an array job and the chain into array dependencies.
    const ids = await this.executor.submit(specs);
    const queuedAt = Date.now();
    this.catalog.db.transaction(() => {
      unitTasks.forEach((group, i) => {
        for (const task of group)
          this.change(task, { state: 'queued', executor_id: ids[i] ?? null, queued_at: queuedAt });
      });
    })();
  }

  private unitSpec(group: readonly TaskRow[], after: Dependency[]): TaskSpec {
    const first = group[0] as TaskRow;
    const p = provenanceOf(first);
    const resources = (p.job as { options?: { resources?: TaskSpec['resources'] } }).options?.resources ?? {};
    if (group.length === 1) {
      return {
        taskId: `task-${first.id}`,
        argv: p.argv,
        env: this.envOf(first),
        cwd: p.cwd,
        logDir: first.log_dir,
        resources,
        after,
      };
    }
    const unitDir = join(first.log_dir, '..', `unit-${first.unit.replace(/[^\w.-]+/g, '_')}`);
    mkdirSync(unitDir, { recursive: true });
    const steps: UnitStep[] = group.map((t) => {
      const tp = provenanceOf(t);
      return {
        logDir: t.log_dir,
        cwd: tp.cwd,
        argv: tp.argv,
        env: provenanceOf(t).env,
        breakOnError: tp.onError === 'break',
        group: t.item,
      };
    });
    const script = join(unitDir, 'unit.sh');
    writeFileSync(script, unitScript(steps));
    return {
      taskId: `unit-${first.run_id}-${first.unit}`,
      argv: ['/bin/sh', script],
      env: this.envOf(first),
      cwd: unitDir,
      logDir: unitDir,
      resources,
      after,
    };
  }

  /** Asks the executor about every active task (one call) and records what changed. Returns how many are still active. */
  async poll(): Promise<number> {
    const active = activeTaskHeads(this.catalog.db).filter(
      (t) => t.executor === this.executor.kind && t.executor_id !== null,
    );
    if (active.length === 0) return 0;
    const ids = [...new Set(active.map((t) => t.executor_id as string))];
    const statuses = await this.executor.status(ids);
    let still = 0;
    // One transaction for all changes of a poll: one commit instead of one per task.
    this.catalog.db.transaction(() => {
      for (const task of active) {
        const status = statuses.get(task.executor_id as string) ?? { state: 'unknown' };
        // In grouped run modes one scheduler job runs several tasks: each task's own files tell its state.
        const grouped = !SINGLE_TASK_MODES.includes(this.runMode(task.run_id));
        const next = grouped ? this.stateFromFiles(task, status) : status;
        if (!isEnded(this.apply(task, next))) still++;
      }
    })();
    return still;
  }

  private stateFromFiles(task: TaskHead, unit: TaskStatus): TaskStatus {
    const files = readTaskFiles(task.log_dir);
    switch (files.kind) {
      case 'ended':
        return files.code === 0
          ? { state: 'done', exitCode: 0, ...(files.host === undefined ? {} : { host: files.host }) }
          : {
              state: 'error',
              exitCode: files.code,
              reason: `exit code ${files.code}`,
              ...(files.host === undefined ? {} : { host: files.host }),
            };
      case 'skipped':
        return { state: 'error', reason: 'dependency failed' };
      case 'running':
        return unit.state === 'suspended'
          ? { state: 'suspended' }
          : isEndedExecutorState(unit)
            ? { state: 'killed', reason: unit.reason ?? 'unit ended' }
            : { state: 'running', startedAt: files.startedAt };
      case 'not-started':
        return isEndedExecutorState(unit)
          ? { state: 'error', reason: unit.reason === undefined ? 'dependency failed' : unit.reason }
          : { state: unit.state === 'held' ? 'held' : 'queued' };
    }
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
      (t) => t.executor === this.executor.kind && (runIds === undefined || runIds.includes(t.run_id)),
    );
    const known = await this.executor.status([
      ...new Set(active.flatMap((t) => (t.executor_id === null ? [] : [t.executor_id]))),
    ]);
    const lost = active.filter(
      (t) => t.executor_id === null || (known.get(t.executor_id)?.state ?? 'unknown') === 'unknown',
    );
    const lostUnits = new Set(lost.map((t) => `${t.run_id}\u0000${t.unit}`));
    const resubmit = active.filter(
      (t) => lostUnits.has(`${t.run_id}\u0000${t.unit}`) && readTaskFiles(t.log_dir).kind === 'not-started',
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

  private envOf(task: TaskRow): Record<string, string> {
    return launchEnvironment(this.catalog.config, provenanceOf(task).env);
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

function provenanceOf(task: TaskRow): TaskProvenance {
  return JSON.parse(task.resolved) as TaskProvenance;
}

function errorText(task: TaskHead, status: TaskStatus): string {
  if (status.reason === 'dependency failed') return 'not run: an earlier job of this item failed';
  const last = lastErrorLine(task.log_dir);
  return [status.reason ?? status.state, last].filter((x) => x !== undefined && x !== '').join(': ');
}

function isEndedExecutorState(status: TaskStatus): boolean {
  return status.state === 'done' || status.state === 'error' || status.state === 'killed';
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
