import { join } from 'node:path';

/**
 * The files of a run, under `<home>/runs/<run>/`: its task folders, its runner's claim and log, its
 * job credential. Every path of a run's folder is named here and nowhere else.
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
export function runFolder(home: string, runId: number): string {
  return join(home, 'runs', String(runId));
}

/** One file of the run's folder. */
export function runFile(home: string, runId: number, file: keyof typeof RUN_FILES): string {
  return join(runFolder(home, runId), RUN_FILES[file]);
}

/** A task's own folder (its log folder, working folder and the executor's files). */
export function taskFolder(home: string, runId: number, taskId: number): string {
  return join(runFolder(home, runId), `task-${taskId}`);
}
