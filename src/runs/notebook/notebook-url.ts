import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskRow } from '../store/task-store.js';

/**
 * The URL (with its token) of a notebook task's server, once it answers: the launcher writes it into
 * the task's folder (notebook-launcher.ts). Null while it starts, after it ended, and for other tasks.
 */
export function notebookUrl(task: Pick<TaskRow, 'state' | 'log_dir'>): string | null {
  if (task.state !== 'running') return null;
  try {
    return readFileSync(join(task.log_dir, 'notebook-url'), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/**
 * Why a notebook server ended by itself (its idle shutdown), as the launcher wrote it; null while it
 * runs, when it was killed or failed, and for other tasks.
 */
export function notebookEnded(task: Pick<TaskRow, 'state' | 'log_dir'>): string | null {
  if (task.state !== 'done') return null;
  try {
    return readFileSync(join(task.log_dir, 'notebook-ended'), 'utf8').trim() || null;
  } catch {
    return null;
  }
}
