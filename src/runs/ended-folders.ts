import { compactTaskFolder } from '../executors/index.js';
import type { ExecutorKind } from '../executors/executor-kinds.js';
import type { ExecutorSet } from '../executors/executor-set.js';
import { groupBy } from './plan-units.js';
import type { TaskRow } from './store/task-store.js';

type EndedFolder = Pick<TaskRow, 'executor' | 'log_dir'>;

/**
 * Folders of tasks whose end the engine committed, by run, compacted when the run ends. Deferred to
 * the end of a run: on ext4 without a journal, every inode freed within the last 30 s is skipped, one
 * by one, by each new file's allocation, so deleting five files per task while the run still creates
 * seven per task made each creation slower as the run went on (a third of a 1000-task run's CPU went
 * to that scan).
 */
export class EndedFolders {
  private readonly byRun = new Map<number, EndedFolder[]>();

  note(task: Pick<TaskRow, 'run_id'> & EndedFolder): void {
    let folders = this.byRun.get(task.run_id);
    if (folders === undefined) {
      folders = [];
      this.byRun.set(task.run_id, folders);
    }
    folders.push({ executor: task.executor, log_dir: task.log_dir });
  }

  /** Compacts the noted folders of `runId` (default: of every run). */
  compact(executors: ExecutorSet, runId?: number): void {
    for (const [id, folders] of this.byRun) {
      if (runId !== undefined && id !== runId) continue;
      this.byRun.delete(id);
      for (const [kind, tasks] of groupBy(folders, (t) => t.executor)) {
        const dirs = tasks.map((t) => t.log_dir);
        // The local executor's launcher does it after the command has answered (Executor.compact).
        const executor = executors.existing(kind as ExecutorKind);
        if (executor?.compact !== undefined) executor.compact(dirs);
        else for (const dir of dirs) compactTaskFolder(dir);
      }
    }
  }
}
