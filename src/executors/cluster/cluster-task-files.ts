import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskSpec } from '../executor.js';
import { readExitRecord, TASK_FOLDER_FILES, type ExitRecord } from '../task-folder.js';
import { taskScript, type TaskScriptOptions } from './task-script.js';

/** Slurm's cancel marker before the task-folder protocol named one for every backend. */
const LEGACY_SLURM_CANCELLED = 'cancelled-by-cohort';

/**
 * Readies a cluster task's folder: removes the records and markers of an earlier run in it (they must
 * not speak for this run) and writes the task's wrapper (`task.sh`). Returns the wrapper's path.
 */
export function prepareClusterTask(spec: TaskSpec, options: TaskScriptOptions): string {
  // A folder made just now holds nothing of an earlier run: its seven removals are skipped (with
  // 200,000 tasks they were most of the file-system calls of a submission).
  const made = mkdirSync(spec.logDir, { recursive: true });
  const { exit, legacyClusterExit, timeLimit, cancelled, held, clusterScript } = TASK_FOLDER_FILES;
  if (made === undefined) {
    for (const name of [
      exit,
      `${exit}.tmp`,
      legacyClusterExit,
      timeLimit,
      cancelled,
      held,
      LEGACY_SLURM_CANCELLED,
    ])
      rmSync(join(spec.logDir, name), { force: true });
  }
  const script = join(spec.logDir, clusterScript);
  writeFileSync(script, taskScript(spec, options), { mode: 0o755 });
  return script;
}

/** The exit record the wrapper wrote, once complete. */
export function readClusterExit(logDir: string): ExitRecord | undefined {
  return readExitRecord(logDir);
}

/** Whether a marker Cohort writes (`cancelled` before a cancel, `held` with a hold) is in the folder. */
export function hasMarker(logDir: string | undefined, marker: 'cancelled' | 'held'): boolean {
  if (logDir === undefined) return false;
  return (
    existsSync(join(logDir, TASK_FOLDER_FILES[marker])) ||
    (marker === 'cancelled' && existsSync(join(logDir, LEGACY_SLURM_CANCELLED)))
  );
}

/** Sets or clears a marker; a folder that is gone is ignored (the scheduler's state still holds). */
export function setMarker(logDir: string, marker: 'cancelled' | 'held', on: boolean): void {
  const path = join(logDir, TASK_FOLDER_FILES[marker]);
  try {
    if (on) writeFileSync(path, `${Date.now()}\n`);
    else rmSync(path, { force: true });
  } catch {
    // The log folder was removed.
  }
}

/** Whether the task's wrapper ended it at its time limit. */
export function timedOut(logDir: string | undefined): boolean {
  return logDir !== undefined && existsSync(join(logDir, TASK_FOLDER_FILES.timeLimit));
}
