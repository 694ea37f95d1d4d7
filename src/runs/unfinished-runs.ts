import type { Catalog } from '../catalog/catalog.js';
import { runOwner } from './run-owner.js';
import { endCreation, unfinishedRuns, type UnfinishedRun } from './store/run-store.js';

export type { UnfinishedRun } from './store/run-store.js';

/**
 * Runs of the project whose runner died while it created their tasks in chunks (start-run.ts): only
 * the first chunks exist, and no runner will create the rest. Each is returned once: it is marked as
 * told, so that the tasks it has run on as any run's, and a later `cohort resume` says nothing more.
 * Runs whose runner lives are still being created and are left alone. `only`: just this run.
 */
export function takeUnfinishedRuns(catalog: Catalog, projectId: number, only?: number): UnfinishedRun[] {
  const runs = unfinishedRuns(catalog.db, projectId).filter(
    (r) => (only === undefined || r.runId === only) && runOwner(catalog.runsDir, r.runId) === undefined,
  );
  for (const r of runs) endCreation(catalog.db, r.runId);
  return runs;
}
