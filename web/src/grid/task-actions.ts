import { isEnded, type GridTask, type TaskAction } from '../api/api-types.js';

/** The actions that make sense for a task in its state, in button order. */
export function actionsFor(task: GridTask): readonly TaskAction[] {
  if (isEnded(task.state)) return ['restart'];
  switch (task.state) {
    case 'running':
      return ['suspend', 'kill'];
    case 'suspended':
      return ['resume', 'kill'];
    case 'held':
      return ['release', 'kill'];
    case 'pending':
    case 'queued':
      return ['hold', 'kill'];
    default:
      return ['kill'];
  }
}
