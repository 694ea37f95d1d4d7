import type { Dependency } from '../executors/executor.js';
import type { ExecutorKind } from '../executors/executor-kinds.js';
import type { RunMode } from './run-modes.js';
import type { TaskRow } from './store/task-store.js';
import { isEnded, type TaskState } from './task-states.js';

/** What a unit's submission needs to know of the item's job before it. */
export interface PreviousJob {
  /** A unit key earlier in the same plan, or the executor id of a task submitted before. */
  readonly id: string;
  readonly kind: ExecutorKind;
  /** The earlier job breaks its item on error: this one may run only after its success. */
  readonly breaks: boolean;
  readonly state: TaskState;
}

/** What the planner asks about tasks and runs (the engine answers from the store). */
export interface UnitPlanLookups {
  runMode(runId: number): RunMode;
  /** Whether a task's job breaks its item on error (its provenance's onError). */
  breaks(task: TaskRow): boolean;
  /** The item's job before this task's, as the database has it (submitted in an earlier call). */
  previousInDb(task: TaskRow): PreviousJob | undefined;
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
 * chained), `ok` when the earlier job breaks the item on error, `any` otherwise. A unit whose earlier
 * job runs on another engine stays pending (no scheduler can wait for another's job): the engine
 * submits it once that job ended, or skips it when that job broke the item.
 */
export function planUnitSubmission(
  tasks: readonly TaskRow[],
  chain: boolean,
  lookups: UnitPlanLookups,
): UnitPlan {
  const submit: PlannedUnit[] = [];
  const skip: TaskRow[] = [];
  let deferred = 0;
  const previousOfItem = new Map<string, PreviousJob>();
  for (const group of groupBy(tasks, (t) => `${t.run_id}\u0000${t.unit}`).values()) {
    const first = group[0];
    if (first === undefined) continue;
    const key = group.length === 1 ? `task-${first.id}` : `unit-${first.run_id}-${first.unit}`;
    const kind = first.executor;
    const itemKey = `${first.run_id}\u0000${first.item}`;
    const chained = chain && lookups.runMode(first.run_id) === 'chained';
    const previous = chained ? (previousOfItem.get(itemKey) ?? lookups.previousInDb(first)) : undefined;
    const breaks = lookups.breaks(group[group.length - 1] ?? first);
    const after: Dependency[] = [];
    if (previous !== undefined) {
      if (previous.state === 'pending' || (!isEnded(previous.state) && previous.kind !== kind)) {
        previousOfItem.set(itemKey, { ...previous, state: 'pending' }); // later units wait too
        deferred++;
        continue;
      }
      if (isEnded(previous.state) && previous.breaks && previous.state !== 'done') {
        skip.push(...group);
        previousOfItem.set(itemKey, { id: '', kind, breaks, state: 'skipped' });
        continue;
      }
      if (!isEnded(previous.state)) after.push({ id: previous.id, kind: previous.breaks ? 'ok' : 'any' });
    }
    previousOfItem.set(itemKey, { id: key, kind, breaks, state: 'queued' });
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
