import { readdirSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { TASK_FOLDER_FILES } from './task-folder.js';

/**
 * The protocol files of a task folder that matter only while the task has not ended: once its end is
 * recorded in the catalog, nothing reads them again. The logs, the job's own files (its script, its
 * arguments) and the wrappers that show what ran stay. `launch`, which every local task has, is
 * emptied instead (see compactTaskFolder).
 */
const WHILE_ACTIVE: readonly string[] = [
  TASK_FOLDER_FILES.pid,
  TASK_FOLDER_FILES.started,
  TASK_FOLDER_FILES.exit,
  `${TASK_FOLDER_FILES.exit}.tmp`,
  TASK_FOLDER_FILES.legacyClusterExit,
  TASK_FOLDER_FILES.timeLimit,
  TASK_FOLDER_FILES.cancelled,
  TASK_FOLDER_FILES.held,
];

/**
 * Shrinks an ended task's folder to what a person may still read: empties `launch` (the task's
 * environment and arguments) and removes the other protocol files. Call it only after the task's end
 * is committed to the catalog (a crash before that must still find the exit record).
 *
 * Nothing every local task has is removed, empty logs included: ext4 without a journal skips each
 * inode freed in the last minute, one by one, when it allocates a new one, so removing three files per
 * task at a run's end made the next run's file creations up to twice as slow (docs/benchmarks.md).
 * Emptying a file frees its block and no inode; retention (collect-garbage.ts) removes whole folders.
 * The same rule as compact_folder in libexec/launcher-io.c, which does this for the native launcher.
 */
export function compactTaskFolder(logDir: string): void {
  let names: string[];
  try {
    names = readdirSync(logDir);
  } catch {
    return; // removed already (retention, a cleared task)
  }
  for (const name of names) {
    if (name === TASK_FOLDER_FILES.launch) empty(join(logDir, name));
    else if (WHILE_ACTIVE.includes(name)) unlink(join(logDir, name));
  }
}

/** One unlink(2): `rmSync` first stats the path and walks it as a tree (twice the system calls). */
function unlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
}

function empty(path: string): void {
  try {
    truncateSync(path, 0);
  } catch {
    // gone already
  }
}
