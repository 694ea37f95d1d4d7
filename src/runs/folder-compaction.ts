import type { Db } from '../db/open-database.js';
import { compactTaskFolder } from '../executors/index.js';
import { GROUP_ITEM } from '../batches/batch-resolution.js';
import { tasksAwaited } from './store/task-store.js';

/**
 * Compacts ended tasks' folders (compactTaskFolder), but not while a task that waits for one has not
 * ended: on a scheduler whose holds wait for the end and not the success of a dependency (SGE), the
 * waiting task's wrapper reads the exit record to decide whether to run. Removing it first made a
 * group-level job, released when the last of its studies ended, find the early ones' records gone and
 * not run. Held folders are compacted by a later sweep, once their dependents ended.
 */
export class FolderCompaction {
  private readonly held = new Map<number, string>();

  constructor(private readonly db: Db) {}

  /** Tasks whose end was just committed: compacted now unless a waiting task depends on them. */
  ended(tasks: ReadonlyArray<{ readonly id: number; readonly logDir: string }>): void {
    for (const t of tasks) this.held.set(t.id, t.logDir);
    this.sweep();
  }

  /** Compacts the held folders no waiting task depends on any more. */
  sweep(): void {
    if (this.held.size === 0) return;
    const awaited = new Set(tasksAwaited(this.db, [...this.held.keys()], GROUP_ITEM));
    for (const [id, logDir] of this.held) {
      if (awaited.has(id)) continue;
      compactTaskFolder(logDir);
      this.held.delete(id);
    }
  }
}
