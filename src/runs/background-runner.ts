import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { claimRun, openRunnerLog } from './run-owner.js';
import type { RunDriver } from './run-supervisor.js';
import { cliMainPath } from './task-environment.js';

/** Which catalog and project the background runner works on: the ones the starting command was given. */
export interface RunnerTarget {
  /** The catalog's database file (Catalog.config.databasePath), passed as `--db`. */
  readonly databasePath: string;
  /** The run's project, passed as `--project` (a catalog may hold several). */
  readonly project: string;
}

/**
 * Drives a run from a process of its own: `cohort resume --run N` in its own session, writing to the
 * run's runner.log, so that `cohort run --no-wait` can return while its local tasks (which wait in
 * their runner's memory) go on.
 */
export class BackgroundRunner implements RunDriver {
  /** The pid of the last runner started. */
  pid = 0;

  /**
   * `runsDir`: the catalog's (Catalog.runsDir). `target`: passed on explicitly, since `--db` and
   * `--project` given on the command line are not in the environment the runner inherits.
   */
  constructor(
    private readonly runsDir: string,
    private readonly target: RunnerTarget,
  ) {}

  start(runId: number): Promise<void> {
    const log = openRunnerLog(this.runsDir, runId);
    try {
      const child = spawn(
        process.execPath,
        [
          cliMainPath(),
          'resume',
          '--run',
          String(runId),
          '--db',
          this.target.databasePath,
          '--project',
          this.target.project,
        ],
        {
          detached: true,
          stdio: ['ignore', log, log],
          env: process.env,
        },
      );
      child.unref();
      // Claimed for it now: a `cohort resume` right after this must not take the run meanwhile.
      if (child.pid !== undefined) claimRun(this.runsDir, runId, child.pid);
      this.pid = child.pid ?? 0;
    } finally {
      closeSync(log);
    }
    return Promise.resolve();
  }
}
