import type { Dependency } from '../executors/executor.js';
import type { ExecutorKind } from '../executors/executor-kinds.js';
import type { RunMode } from './run-modes.js';
import type { TaskRow } from './store/task-store.js';
import { isEnded, type TaskState } from './task-states.js';

/** What a unit's submission needs to know of a job it waits for. */
export interface PreviousJob {
  /** A unit key earlier in the same plan, or the executor id of a task submitted before. */
  readonly id: string;
  readonly kind: ExecutorKind;
  /** The earlier job breaks its item on error: this one may run only after its success. */
  readonly breaks: boolean;
  readonly state: TaskState;
  /** Its job's position in the batch. */
  readonly jobIndex: number;
}

/** What the planner asks about tasks and runs (the engine answers from the store). */
export interface UnitPlanLookups {
  runMode(runId: number): RunMode;
  /** Whether a task's job breaks its item on error (its provenance's onError). */
  breaks(task: TaskRow): boolean;
  /** Whether a task is a group-level job's (one task for all items of its run). */
  isGroup(task: TaskRow): boolean;
  /**
   * The job before this task's for its item, as the database has it (submitted in an earlier call):
   * the item's own, or a group-level job's task in between.
   */
  previousInDb(task: TaskRow): PreviousJob | undefined;
  /** Every task of a run's job, by item, as the database has them: what a group-level task waits for. */
  jobInDb(runId: number, jobIndex: number): ReadonlyMap<string, PreviousJob>;
}

/** A unit to hand to an executor: its tasks (one, or several in grouped modes) and dependencies. */
export interface PlannedUnit {
  /**
   * The unit's task id for its executor (`task-<id>`, or `unit-<run>-<unit>` for several tasks): unique,
   * and what later units of the item in the same submit name as their dependency.
   */
  readonly key: string;
  readonly kind: ExecutorKind;
  readonly tasks: readonly TaskRow[];
  /** Dependencies on executor ids submitted before, or on keys of units earlier in this plan. */
  readonly after: readonly Dependency[];
}

export interface UnitPlan {
  /** Units to submit, in order, grouped per engine kind by the caller. */
  readonly submit: readonly PlannedUnit[];
  /** Tasks that will never run: an earlier job of their item failed and breaks it. */
  readonly skip: readonly TaskRow[];
  /** Units left pending: their earlier job runs on another engine and has not ended. */
  readonly deferred: number;
}

/**
 * Decides how pending tasks become executor submissions, without touching an executor: tasks are
 * grouped by unit; with `chain`, the units of one item wait for each other in job order (run mode
 * chained), `ok` when the earlier job breaks the item on error, `any` otherwise. A group-level task
 * waits for the job before it of every item (a dependency on all of them), and the items' later jobs
 * wait for it. A unit whose earlier job runs on another engine stays pending (no scheduler can wait
 * for another's job): the engine submits it once that job ended, or skips it when that job broke the
 * item (for a group task: when it broke any item).
 */
export function planUnitSubmission(
  tasks: readonly TaskRow[],
  chain: boolean,
  lookups: UnitPlanLookups,
): UnitPlan {
  const submit: PlannedUnit[] = [];
  const skip: TaskRow[] = [];
  let deferred = 0;
  // Units planned in this call, by run, job and item: fresher than the database (queued, not pending).
  const planned = new Map<string, PreviousJob>();
  const lastOfItem = new Map<string, PreviousJob>();
  const lastGroup = new Map<number, PreviousJob>();
  const plannedKey = (runId: number, jobIndex: number, item: string): string =>
    `${runId}\u0000${jobIndex}\u0000${item}`;
  const waitsFor = (task: TaskRow): PreviousJob[] => {
    if (lookups.isGroup(task)) {
      const before = task.job_index - 1;
      return [...lookups.jobInDb(task.run_id, before)].map(
        ([item, job]) => planned.get(plannedKey(task.run_id, before, item)) ?? job,
      );
    }
    const inPlan = [lastOfItem.get(`${task.run_id}\u0000${task.item}`), lastGroup.get(task.run_id)];
    // The job right before it planned in this call: nothing in the database can come later (one
    // statement per task less when a whole run is submitted).
    const adjacent = inPlan.some((p) => p !== undefined && p.jobIndex === task.job_index - 1);
    // A first job has none before it: no statement for it (half the tasks of a two-job run).
    const inDb = adjacent || task.job_index === 0 ? undefined : lookups.previousInDb(task);
    const candidates = [...inPlan, inDb].filter(
      (p): p is PreviousJob => p !== undefined && p.jobIndex < task.job_index,
    );
    const latest = Math.max(-1, ...candidates.map((p) => p.jobIndex));
    const first = candidates.find((p) => p.jobIndex === latest); // in-plan entries come first
    return first === undefined ? [] : [first];
  };
  for (const group of groupBy(tasks, (t) => `${t.run_id}\u0000${t.unit}`).values()) {
    const first = group[0];
    if (first === undefined) continue;
    const key = group.length === 1 ? `task-${first.id}` : `unit-${first.run_id}-${first.unit}`;
    const kind = first.executor;
    const chained = chain && lookups.runMode(first.run_id) === 'chained';
    const last = group[group.length - 1] ?? first;
    const breaks = lookups.breaks(last);
    const record = (state: TaskState, id: string): void => {
      const entry: PreviousJob = { id, kind, breaks, state, jobIndex: last.job_index };
      for (const t of group) planned.set(plannedKey(t.run_id, t.job_index, t.item), entry);
      if (lookups.isGroup(first)) lastGroup.set(first.run_id, entry);
      else lastOfItem.set(`${first.run_id}\u0000${first.item}`, entry);
    };
    const previous = chained ? waitsFor(first) : [];
    if (previous.some((p) => p.state === 'pending' || (!isEnded(p.state) && p.kind !== kind))) {
      record('pending', ''); // later units wait too
      deferred++;
      continue;
    }
    if (previous.some((p) => isEnded(p.state) && p.breaks && p.state !== 'done')) {
      skip.push(...group);
      record('skipped', '');
      continue;
    }
    const after: Dependency[] = previous
      .filter((p) => !isEnded(p.state))
      .map((p) => ({ id: p.id, kind: p.breaks ? 'ok' : 'any' }));
    record('queued', key);
    submit.push({ key, kind, tasks: group, after });
  }
  return { submit, skip, deferred };
}

export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list === undefined) map.set(k, [item]);
    else list.push(item);
  }
  return map;
}
