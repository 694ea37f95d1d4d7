import type { Db } from '../db/open-database.js';
import type { Executor } from '../executors/executor.js';
import { ACTIVE_STATES, type TaskState } from '../engine/task-states.js';
import type { TaskRow } from '../engine/task-store.js';
import { CohortError } from '../errors/cohort-error.js';

/** What the grid can ask of an executor for a task, by the executor's method name. */
export const EXECUTOR_ACTIONS = ['cancel', 'suspend', 'resume', 'hold', 'release'] as const;
export type ExecutorAction = (typeof EXECUTOR_ACTIONS)[number];

/** The outcome for one task of an action over many. */
export interface TaskActionResult {
  readonly id: number;
  readonly ok: boolean;
  readonly message: string;
}

/**
 * Applies an executor action to tasks, one result per task (a task that is not active is reported, not
 * thrown): the executor is called once for all active ones, then `poll` records what changed. Shared by
 * `cohort grid kill|suspend|...` and the API.
 *
 * @throws CohortError NOT_AVAILABLE when the executor has no such capability.
 */
export async function applyTaskAction(
  executor: Executor,
  tasks: readonly TaskRow[],
  action: ExecutorAction,
  poll: () => Promise<unknown>,
): Promise<TaskActionResult[]> {
  const method: ((ids: readonly string[]) => Promise<void>) | undefined = executor[action]?.bind(executor);
  if (method === undefined) {
    throw new CohortError('NOT_AVAILABLE', `The ${executor.kind} executor cannot ${action} tasks.`);
  }
  const active = (t: TaskRow): boolean => t.executor_id !== null && ACTIVE_STATES.includes(t.state);
  const ids = [...new Set(tasks.filter(active).map((t) => t.executor_id as string))];
  if (ids.length > 0) await method(ids);
  await poll();
  return tasks.map((t) =>
    active(t)
      ? { id: t.id, ok: true, message: `${action} requested` }
      : { id: t.id, ok: false, message: `${t.state}, nothing to ${action}` },
  );
}

/** The active tasks of a project (for kill-all). */
export function activeTasksOfProject(db: Db, projectId: number): TaskRow[] {
  return db
    .prepare(
      `SELECT * FROM tasks WHERE project_id = ? AND state IN (${ACTIVE_STATES.map(() => '?').join(', ')}) ORDER BY id`,
    )
    .all(projectId, ...ACTIVE_STATES) as TaskRow[];
}

/** Removes ended tasks that failed (and, with `done`, finished ones) of a project from the grid; returns how many. */
export function clearTasks(db: Db, projectId: number, done: boolean): number {
  const states: TaskState[] = done ? ['error', 'killed', 'skipped', 'done'] : ['error', 'killed', 'skipped'];
  return db
    .prepare(`DELETE FROM tasks WHERE project_id = ? AND state IN (${states.map(() => '?').join(', ')})`)
    .run(projectId, ...states).changes;
}
