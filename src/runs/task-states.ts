/**
 * Task states, declared once. A leaf module (it imports nothing), so the database's CHECK constraint,
 * the selection's `JOB:` filter, the API schema, the CLI and the web app's badges all use these lists.
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

/** States of a task that has not ended: it may still change, and it holds its run open. */
export const ACTIVE_STATES = [
  'pending',
  'queued',
  'held',
  'running',
  'suspended',
] as const satisfies readonly TaskState[];

/** States of an ended task. */
export const ENDED_STATES = ['done', 'error', 'killed', 'skipped'] as const satisfies readonly TaskState[];

/** Ended without success: what `cohort rerun` reruns and `grid clear` removes. */
export const FAILED_STATES = ['error', 'killed', 'skipped'] as const satisfies readonly TaskState[];

/** Waiting to start, at Cohort or at the executor (the grid's "queued" counter). */
export const WAITING_STATES = ['pending', 'queued', 'held'] as const satisfies readonly TaskState[];

export function isEnded(state: TaskState): boolean {
  return (ENDED_STATES as readonly TaskState[]).includes(state);
}

/** One-letter codes of the filter bar (`JOB:e`) mapped to states. */
export const JOB_FILTER_LETTERS = {
  q: WAITING_STATES,
  r: ['running'],
  s: ['suspended'],
  e: ['error', 'killed'],
} as const satisfies Readonly<Record<string, readonly TaskState[]>>;
export type JobFilterLetter = keyof typeof JOB_FILTER_LETTERS;

/** A state list as an SQL `IN` list of literals (the values are the constants above, never input). */
export function sqlStateList(states: readonly TaskState[]): string {
  return states.map((s) => `'${s}'`).join(', ');
}
