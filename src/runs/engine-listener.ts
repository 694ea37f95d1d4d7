import type { TaskState } from './task-states.js';
import type { TaskRow } from './store/task-store.js';

/**
 * Observers of the engine: the CLI progress display now, the live web grid later. The database is
 * written by the engine itself, before listeners hear of a change.
 */
export interface EngineListener {
  taskChanged?(task: TaskRow, previous: TaskState): void;
}
