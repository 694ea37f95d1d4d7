import type { TaskState } from '../api/api-types.js';

/** The colour family of each task state: red for failures, green for running. Exhaustive on purpose. */
export function stateTone(state: TaskState): 'error' | 'running' | 'waiting' | 'paused' | 'done' {
  switch (state) {
    case 'error':
    case 'killed':
      return 'error';
    case 'running':
      return 'running';
    case 'pending':
    case 'queued':
      return 'waiting';
    case 'held':
    case 'suspended':
      return 'paused';
    case 'done':
    case 'skipped':
      return 'done';
  }
}

export function StateBadge({ state }: { readonly state: TaskState }) {
  return <span className={`badge tone-${stateTone(state)}`}>{state}</span>;
}
