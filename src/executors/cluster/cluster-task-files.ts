import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskSpec } from '../executor.js';
import { readExitRecord, TASK_FOLDER_FILES, type ExitRecord } from '../task-folder.js';
import type { ArrayIndex } from './batch-script.js';
import {
  arrayScript,
  arrayTaskLine,
  commonEnvironment,
  taskScript,
  type TaskScriptOptions,
} from './task-script.js';

/**
 * An array job's own files, in its first task's folder: the one wrapper every element runs, and the
 * index of its tasks (line i: element i's task, arrayTaskLine).
 */
export const CLUSTER_ARRAY_FILES = { script: 'array.sh', tasks: 'array-tasks' } as const;

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

/**
 * Readies an array job: its first task's folder (the scheduler writes its own log there, and must find
 * it at once), the index of its tasks and the shared wrapper; the other tasks' folders are left to the
 * elements (the wrapper makes its folder and clears an earlier run's records in it): two files per
 * array, no file-system call per task. `okDependencyDirs[i]`: those of task i. Returns the wrapper's path.
 */
export function prepareClusterArray(
  specs: readonly TaskSpec[],
  okDependencyDirs: readonly (readonly string[])[],
  index: ArrayIndex,
  options: TaskScriptOptions,
): string {
  const home = specs[0]!.logDir;
  mkdirSync(home, { recursive: true });
  const tasks = join(home, CLUSTER_ARRAY_FILES.tasks);
  const common = commonEnvironment(specs);
  const lines = specs.map((spec, i) => `${arrayTaskLine(spec, okDependencyDirs[i] ?? [], common)}\n`);
  writeFileSync(tasks, lines.join(''));
  const script = join(home, CLUSTER_ARRAY_FILES.script);
  const memoryLimit = specs[0]!.resources.memoryMB !== undefined;
  writeFileSync(script, arrayScript(tasks, index, memoryLimit, options, common), { mode: 0o755 });
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

/**
 * Sets or clears a marker. An array element's folder is made by the element itself, so a queued one
 * may have none yet: it is made for the marker. A folder that cannot be written is ignored (the
 * scheduler's state still holds).
 */
export function setMarker(logDir: string, marker: 'cancelled' | 'held', on: boolean): void {
  const path = join(logDir, TASK_FOLDER_FILES[marker]);
  try {
    if (on) {
      mkdirSync(logDir, { recursive: true });
      writeFileSync(path, `${Date.now()}\n`);
    } else rmSync(path, { force: true });
  } catch {
    // Not writable, or removed meanwhile.
  }
}

/** Whether the task's wrapper ended it at its time limit. */
export function timedOut(logDir: string | undefined): boolean {
  return logDir !== undefined && existsSync(join(logDir, TASK_FOLDER_FILES.timeLimit));
}
