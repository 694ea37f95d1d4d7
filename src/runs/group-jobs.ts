import type { BatchDefinition } from '../batches/batch-definition.js';
import type { BatchResolution } from '../batches/batch-resolution.js';
import { invalidInput } from '../errors/cohort-error.js';
import type { JobDefinition } from '../jobs/job-definition.js';
import { GROUP_RUN_MODES, type RunMode } from './run-modes.js';

/**
 * Positions of the batch's group-level jobs (one task for all items, waiting for every item's earlier
 * jobs). Such a batch runs only in the modes that keep each job its own unit.
 *
 * @throws CohortError INVALID_INPUT for a group-level job in another run mode.
 */
export function groupJobIndices(batch: BatchDefinition, mode: RunMode): ReadonlySet<number> {
  const indices = new Set(batch.jobs.flatMap((job, i) => (job.level === 'group' ? [i] : [])));
  if (indices.size > 0 && !GROUP_RUN_MODES.includes(mode)) {
    throw invalidInput(
      `Run mode '${mode}' cannot run the group-level job '${batch.jobs[[...indices][0] ?? 0]?.name ?? ''}': ` +
        'it waits for every item, so it cannot share a scheduler job with some of them.',
      `Run with --mode ${GROUP_RUN_MODES.join(' or ')}.`,
      { mode },
    );
  }
  return indices;
}

/** The job a group task runs: every FILE argument a list (a Python list even for one file). */
export function groupTaskJob(job: JobDefinition): JobDefinition {
  return { ...job, args: job.args.map((arg) => (arg.type === 'FILE' ? { ...arg, multiple: true } : arg)) };
}

/**
 * Refuses a run whose tasks would overwrite each other's outputs (the preview lists them as
 * `collisions`).
 *
 * @throws CohortError INVALID_INPUT naming the first outputs and their writers, and the fixes.
 */
export function assertNoCollisions(resolution: BatchResolution): void {
  const collisions = resolution.collisions;
  if (collisions.length === 0) return;
  const shown = collisions
    .slice(0, 5)
    .map((c) => `${c.path} (${c.writers.slice(0, 4).join(', ')}${c.writers.length > 4 ? ', ...' : ''})`);
  const more = collisions.length > 5 ? `\n- and ${collisions.length - 5} more` : '';
  throw invalidInput(
    `${collisions.length} output${collisions.length === 1 ? ' is' : 's are'} written by more than one task, ` +
      `which would overwrite each other:\n- ${shown.join('\n- ')}${more}`,
    'Give each item its own output (a path in its study instead of one fixed analysis path), or make ' +
      'the job group-level ("level": "group") so that it runs once over all items.',
    { collisions: collisions.map((c) => c.path) },
  );
}
