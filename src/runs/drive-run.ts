import type { Engine } from './engine.js';
import { claimRun, releaseRun } from './run-owner.js';
import type { TaskRow } from './store/task-store.js';
import { CohortError } from '../errors/cohort-error.js';

/**
 * Takes ownership of a run (its queued local tasks will live in this process) and submits its pending
 * tasks. The caller watches the run and calls `releaseRun` when it ended.
 *
 * @throws CohortError CONFLICT when another live runner owns the run.
 */
export async function submitOwnedRun(engine: Engine, home: string, runId: number): Promise<void> {
  const owner = claimRun(home, runId);
  if (owner !== undefined) {
    throw new CohortError('CONFLICT', `Run ${runId} is already run by process ${owner}.`, {
      hint: 'Watch it with `cohort grid`; it needs no second runner.',
      context: { runId, owner },
    });
  }
  try {
    await engine.submitRun(runId);
  } catch (error) {
    releaseRun(home, runId);
    throw error;
  }
}

/** Submits a run and waits until every task ended (the CLI's `run`); the run is released at the end. */
export async function driveRun(
  engine: Engine,
  home: string,
  runId: number,
  signal?: AbortSignal,
): Promise<TaskRow[]> {
  await submitOwnedRun(engine, home, runId);
  try {
    return await engine.waitForRun(runId, signal === undefined ? {} : { signal });
  } finally {
    releaseRun(home, runId);
  }
}
