import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { TASK_FOLDER_FILES } from './task-folder.js';

/**
 * The protocol files of a task folder that matter only while the task has not ended: once its end is
 * recorded in the catalog, nothing reads them again. The logs, the job's own files (its script, its
 * arguments) and the wrappers that show what ran stay.
 */
const WHILE_ACTIVE: readonly string[] = [
  TASK_FOLDER_FILES.launch,
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
 * Shrinks an ended task's folder to what a person may still read: removes the protocol files and
 * empty logs. Call it only after the task's end is committed to the catalog (a crash before that must
 * still find the exit record). Each task otherwise leaves 6 files, and inode allocation slows runs
 * down once hundreds of thousands pile up.
 */
export function compactTaskFolder(logDir: string): void {
  let names: string[];
  try {
    names = readdirSync(logDir);
  } catch {
    return; // removed already (retention, a cleared task)
  }
  for (const name of names) {
    if (WHILE_ACTIVE.includes(name)) unlink(join(logDir, name));
    else if (name === TASK_FOLDER_FILES.stdout || name === TASK_FOLDER_FILES.stderr) {
      if (sizeOf(join(logDir, name)) === 0) unlink(join(logDir, name));
    }
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

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}
