import type { TaskStatus } from '../executors/executor.js';
import type { OnError } from '../jobs/job-definition.js';
import type { TaskHead, TaskUpdate } from './store/task-store.js';
import { isEnded, type TaskState } from './task-states.js';

/** The text a task that never ran shows as its error. */
export const NOT_RUN_TEXT = 'not run: an earlier job of this item failed';

/** Whether an executor says the task never ran because a task it depends on failed. */
export function dependencyFailed(status: TaskStatus): boolean {
  return status.cause === 'dependency-failed';
}

/**
 * The state a task takes from its executor's status, or undefined when the executor does not know it
 * (reconcile decides about those). A failure of a job whose error policy is `ignore` counts as done;
 * a task that never ran because its dependency failed is `skipped`.
 */
export function stateFromStatus(status: TaskStatus, onError: () => OnError): TaskState | undefined {
  switch (status.state) {
    case 'unknown':
      return undefined;
    case 'error':
      if (dependencyFailed(status)) return 'skipped';
      return onError() === 'ignore' ? 'done' : 'error';
    default:
      return status.state;
  }
}

/**
 * The row update that records `state` from `status`: exit code, host, start and end times, and for a
 * failure its error text (`errorText` is asked only then: it reads the task's stderr).
 */
export function statusUpdate(
  task: Pick<TaskHead, 'started_at'>,
  state: TaskState,
  status: TaskStatus,
  errorText: () => string,
  now: number = Date.now(),
): TaskUpdate {
  const failed = state === 'error' || state === 'killed' || state === 'skipped';
  const startedAt = status.startedAt ?? (state === 'running' && task.started_at === null ? now : undefined);
  return {
    state,
    ...(status.exitCode === undefined ? {} : { exit_code: status.exitCode }),
    ...(status.host === undefined ? {} : { host: status.host }),
    ...(startedAt === undefined ? {} : { started_at: startedAt }),
    ...(isEnded(state) ? { ended_at: status.endedAt ?? now } : {}),
    ...(failed ? { error: dependencyFailed(status) ? NOT_RUN_TEXT : errorText() } : {}),
  };
}
