import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { validateBatch, type BatchDefinition } from './batch-definition.js';
import type { BatchResolution, ItemResolution } from './batch-resolution.js';
import type { BatchItems } from './load-batch-scope.js';
import { ResolutionTally } from './resolution-tally.js';
import { resolveEachItem } from './resolve-each-item.js';

/**
 * The resolution of every item (a study at study level, a subject at subject level): every job and
 * every argument, the absolute input paths, the output paths and the values the job would get, or why
 * an input is missing. A missing required input makes the item not runnable; a missing optional one
 * only adds a warning. A run needs this; a preview of a large selection should ask `previewBatch`,
 * which keeps one page of items.
 *
 * The statement count does not grow with the number of items (see `resolveEachItem`). All run in one
 * read transaction, so the resolution sees one state of the catalog.
 *
 * Example: `resolveBatch(db, project, batch, { selector: '*#LATEST stag:qc_ok' })` or
 * `resolveBatch(db, project, batch, { filter: 'P00 & STAG:control' })`.
 *
 * @throws CohortError INVALID_INPUT when the batch is invalid (see `validateBatch`); SYNTAX for a bad
 *   selector or filter text.
 */
export function resolveBatch(
  db: Db,
  project: Project,
  batch: BatchDefinition,
  items: BatchItems = 'all',
): BatchResolution {
  const definition = validateBatch(batch);
  return db.transaction((): BatchResolution => {
    const tally = new ResolutionTally(definition);
    const all: ItemResolution[] = [];
    resolveEachItem(db, project, definition, items, (item) => {
      all.push(item);
      tally.add(item);
    });
    const group = tally.group();
    return {
      batch: definition.name,
      level: definition.level,
      items: all,
      ...(group === undefined ? {} : { group }),
      collisions: tally.collisions(),
      summary: {
        total: tally.total,
        ready: tally.ready,
        notRunnable: tally.notRunnable,
        missing: tally.missing,
      },
    };
  })();
}
