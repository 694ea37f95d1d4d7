import type { ExecutorKind } from '../executors/executor-kinds.js';
import type { ExecutorSet } from '../executors/executor-set.js';
import { ACTIVE_STATES, type TaskState } from './task-states.js';
import type { TaskRow } from './store/task-store.js';

/** What the grid can ask of an executor for a task, by the executor's method name. */
export const EXECUTOR_ACTIONS = ['cancel', 'suspend', 'resume', 'hold', 'release'] as const;
export type ExecutorAction = (typeof EXECUTOR_ACTIONS)[number];

/**
 * The states an action applies to, where narrower than every active one: a hold keeps a task that has
 * not started from starting (a running task cannot be held: suspend it), a release undoes one.
 */
const STATES_FOR: Partial<Record<ExecutorAction, readonly TaskState[]>> = {
  hold: ['pending', 'queued'],
  // Not only 'held': the state shows the hold at the next poll, a release may come first.
  release: ['pending', 'queued', 'held'],
};
const NOT_APPLICABLE: Partial<Record<ExecutorAction, string>> = {
  hold: 'too late to hold (hold keeps a waiting task from starting; suspend pauses a running one)',
  release: 'not waiting, nothing to release',
};

/** The outcome for one task of an action over many. */
export interface TaskActionResult {
  readonly id: number;
  readonly ok: boolean;
  readonly message: string;
}

/**
 * Applies an executor action to tasks, one result per task (a task that is not active is reported, not
 * thrown; one whose engine cannot do it too): each engine's executor is called once for all its active
 * ones, then `poll` records what changed. Shared by `cohort grid kill|suspend|...` and the API.
 */
export async function applyTaskAction(
  executors: ExecutorSet,
  tasks: readonly TaskRow[],
  action: ExecutorAction,
  poll: () => Promise<unknown>,
): Promise<TaskActionResult[]> {
  const active = (t: TaskRow): boolean =>
    t.executor_id !== null && (STATES_FOR[action] ?? ACTIVE_STATES).includes(t.state);
  const unable = new Set<string>();
  for (const [kind, group] of groupByExecutor(tasks.filter(active))) {
    const executor = executors.get(kind);
    const method: ((ids: readonly string[]) => Promise<void>) | undefined = executor[action]?.bind(executor);
    if (method === undefined) unable.add(kind);
    else await method([...new Set(group.map((t) => t.executor_id as string))]);
  }
  await poll();
  return tasks.map((t) =>
    !active(t)
      ? { id: t.id, ok: false, message: `${t.state}, ${NOT_APPLICABLE[action] ?? `nothing to ${action}`}` }
      : unable.has(t.executor)
        ? { id: t.id, ok: false, message: `the ${t.executor} executor cannot ${action} tasks` }
        : { id: t.id, ok: true, message: `${action} requested` },
  );
}

function groupByExecutor(tasks: readonly TaskRow[]): Map<ExecutorKind, TaskRow[]> {
  const groups = new Map<ExecutorKind, TaskRow[]>();
  for (const task of tasks) {
    const kind = task.executor;
    groups.set(kind, [...(groups.get(kind) ?? []), task]);
  }
  return groups;
}
