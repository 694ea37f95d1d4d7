import { join } from 'node:path';

/**
 * The files of a run, under `<runsDir>/<run>/`: its task folders, its runner's claim and log, its
 * job credential. Every path of a run's folder is named here and nowhere else. `runsDir` is the
 * catalog's own (Catalog.runsDir, `<home>/runs/<catalog id>`): catalogs sharing a COHORT_HOME, or a
 * catalog made afresh where another was, never share a run folder.
 */
export const RUN_FILES = {
  /** `<pid> <start ticks>` of the process that owns the run (run-owner.ts). */
  runner: 'runner',
  /** What a background runner prints. */
  runnerLog: 'runner.log',
  /** The secret of the run's job credential (job-credential.ts), mode 0600. */
  jobToken: 'job-token',
} as const;

/** The run's folder; readable by its owner only (it holds the job credential). */
export function runFolder(runsDir: string, runId: number): string {
  return join(runsDir, String(runId));
}

/** One file of the run's folder. */
export function runFile(runsDir: string, runId: number, file: keyof typeof RUN_FILES): string {
  return join(runFolder(runsDir, runId), RUN_FILES[file]);
}

/** A task's own folder (its log folder, working folder and the executor's files). */
export function taskFolder(runsDir: string, runId: number, taskId: number): string {
  return join(runFolder(runsDir, runId), `task-${taskId}`);
}

/**
 * A folder of the run shared by every task of one job (`job-<index>`): the job's script where it is the
 * same for every item (BASH), written once per run instead of once per task.
 */
export function jobFolder(runsDir: string, runId: number, jobIndex: number): string {
  return join(runFolder(runsDir, runId), `job-${jobIndex}`);
}
