import type { Catalog } from '../catalog/catalog.js';
import type { Project } from '../catalog/project-store.js';
import { prepareRun, type CreatedRun, type CreateRunInput } from './prepare-run.js';
import { RunBuilder } from './run-builder.js';

export type { CreatedRun, CreateRunInput } from './prepare-run.js';

/**
 * Turns a resolved batch into a run in one transaction: one task per runnable item and job, each with
 * its command built, its files written into its own folder (`<catalog.runsDir>/<run>/task-<id>/`, also
 * its log folder) and its provenance stored. Items missing a required input are reported, not run.
 * `cohort run` creates large local runs in chunks instead (start-run.ts).
 */
export function createRun(catalog: Catalog, project: Project, input: CreateRunInput): CreatedRun {
  const prepared = prepareRun(catalog, project, input);
  // Provenances kept for provenanceOf: the engine that submits the run in this process (the CLI, the
  // server) takes them from there instead of parsing what was just made.
  const builder = new RunBuilder(catalog, project, prepared, { remember: true });
  const created = builder.begin(prepared.tasks.length);
  return { runId: builder.runId, tasks: created.rows.length, skipped: prepared.skipped };
}
