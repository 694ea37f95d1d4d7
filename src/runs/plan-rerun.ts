import { join } from 'node:path';
import { validateBatch, type BatchDefinition } from '../batches/batch-definition.js';
import { GROUP_ITEM, type BatchResolution } from '../batches/batch-resolution.js';
import { resolveBatch } from '../batches/resolve-batch.js';
import type { Project } from '../catalog/project-store.js';
import { studiesByIds } from '../catalog/study-lookup.js';
import type { Db } from '../db/open-database.js';
import { runDefinition } from './store/run-store.js';
import { itemsOfTasks, type TaskChoice } from './store/task-store.js';

/** What a rerun runs: the batch, its resolution over the chosen items, and the selection text kept with the run. */
export interface RerunPlan {
  readonly batch: BatchDefinition;
  readonly resolution: BatchResolution;
  readonly selection: string;
}

/** Which tasks of a run to rerun: the failed ones (error, killed, not run), or the given task ids. */
export type RerunTasks = TaskChoice;

/**
 * Plans the rerun of a run's failed items (or of chosen tasks' items: the grid's restart) with a
 * corrected batch (default: the run's own), resolved again over those items' studies. Returns null when
 * there is nothing to rerun. Shared by `cohort rerun` and the API.
 *
 * @throws CohortError NOT_FOUND when the run is not one of the project's.
 */
export function planRerun(
  db: Db,
  project: Project,
  runId: number,
  batch: BatchDefinition | undefined,
  which: RerunTasks = { failed: true },
): RerunPlan | null {
  const stored = runDefinition(db, project, runId);
  const { studyIds, subjectIds } = itemsOfTasks(db, runId, which, GROUP_ITEM);
  const studies = studiesByIds(db, project, studyIds, subjectIds);
  if (studies.length === 0) return null;
  const definition = batch ?? validateBatch(stored);
  const absolute = studies.map((s) => ({ ...s, folder: join(project.root, s.folder) }));
  const resolution = resolveBatch(db, project, definition, absolute);
  return {
    batch: definition,
    resolution,
    selection: `rerun of ${runId}: ${[...new Set(resolution.items.map((i) => i.item))].join(' ')}`,
  };
}
