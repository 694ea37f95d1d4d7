/**
 * Task states, declared once: the SQL CHECK constraint, the CLI grid and (later) the API schema and UI
 * badges all use this list.
 * - pending: waiting for earlier jobs of its item (not yet handed to an executor)
 * - queued / held / running / suspended: at the executor
 * - done / error / killed: ended; skipped: never ran because an earlier job of its item failed (break)
 */
export const TASK_STATES = [
  'pending',
  'queued',
  'held',
  'running',
  'suspended',
  'done',
  'error',
  'killed',
  'skipped',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const ACTIVE_STATES: readonly TaskState[] = ['pending', 'queued', 'held', 'running', 'suspended'];
export const ENDED_STATES: readonly TaskState[] = ['done', 'error', 'killed', 'skipped'];

export function isEnded(state: TaskState): boolean {
  return ENDED_STATES.includes(state);
}

/** One-letter codes of the filter bar (`JOB:e`) mapped to states. */
export const JOB_FILTER_LETTERS: Readonly<Record<string, readonly TaskState[]>> = {
  q: ['pending', 'queued', 'held'],
  r: ['running'],
  s: ['suspended'],
  e: ['error', 'killed'],
};
