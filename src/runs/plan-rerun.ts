import { join } from 'node:path';
import type { BatchDefinition } from '../batches/batch-definition.js';
import type { BatchResolution } from '../batches/batch-resolution.js';
import { resolveBatch } from '../batches/resolve-batch.js';
import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { notFound } from '../errors/cohort-error.js';
import type { StudyRef } from '../selection/selection.js';

/** What a rerun runs: the batch, its resolution over the chosen items, and the selection text kept with the run. */
export interface RerunPlan {
  readonly batch: BatchDefinition;
  readonly resolution: BatchResolution;
  readonly selection: string;
}

/** Which tasks of a run to rerun: the failed ones (error, killed, not run), or the given task ids. */
export type RerunTasks = { readonly failed: true } | { readonly taskIds: readonly number[] };

const FAILED = `state IN ('error', 'killed', 'skipped')`;

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
  const row = db
    .prepare('SELECT definition FROM runs WHERE id = ? AND project_id = ?')
    .get(runId, project.id) as { definition: string } | undefined;
  if (row === undefined) {
    throw notFound(`No run ${runId} in project '${project.name}'.`, 'List runs with `cohort grid --all`.');
  }
  const chosen =
    'failed' in which
      ? { sql: `run_id = ? AND ${FAILED}`, params: [runId] }
      : {
          sql: `run_id = ? AND id IN (SELECT value FROM json_each(?))`,
          params: [runId, JSON.stringify(which.taskIds)],
        };
  // The items' studies, by id: ids may contain `_` or `*`, which selector terms would treat as wildcards.
  const studies = db
    .prepare(
      `SELECT s.id AS studyId, s.subject_id AS subjectId, p.pid, s.sid, p.pid || '#' || s.sid AS ref, s.folder
       FROM studies s JOIN subjects p ON p.id = s.subject_id
       WHERE s.present = 1 AND (s.id IN (SELECT study_id FROM tasks WHERE ${chosen.sql})
          OR (s.subject_id IN (SELECT subject_id FROM tasks WHERE study_id IS NULL AND ${chosen.sql})))
       ORDER BY p.pid, s.sort_key`,
    )
    .all(...chosen.params, ...chosen.params) as StudyRef[];
  if (studies.length === 0) return null;
  const definition = batch ?? (JSON.parse(row.definition) as BatchDefinition);
  const absolute = studies.map((s) => ({ ...s, folder: join(project.root, s.folder) }));
  const resolution = resolveBatch(db, project, definition, absolute);
  return {
    batch: definition,
    resolution,
    selection: `rerun of ${runId}: ${[...new Set(resolution.items.map((i) => i.item))].join(' ')}`,
  };
}
