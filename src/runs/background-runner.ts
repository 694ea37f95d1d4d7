import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { claimRun, openRunnerLog } from './run-owner.js';
import type { RunDriver } from './run-supervisor.js';
import { cliMainPath } from './task-environment.js';

/**
 * Drives a run from a process of its own: `cohort resume --run N` in its own session, writing to the
 * run's runner.log, so that `cohort run --no-wait` can return while its local tasks (which wait in
 * their runner's memory) go on.
 */
export class BackgroundRunner implements RunDriver {
  /** The pid of the last runner started. */
  pid = 0;

  /** `runsDir`: the catalog's (Catalog.runsDir). */
  constructor(private readonly runsDir: string) {}

  start(runId: number): Promise<void> {
    const log = openRunnerLog(this.runsDir, runId);
    try {
      const child = spawn(process.execPath, [cliMainPath(), 'resume', '--run', String(runId)], {
        detached: true,
        stdio: ['ignore', log, log],
        env: process.env,
      });
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
