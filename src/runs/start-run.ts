import type { Catalog } from '../catalog/catalog.js';
import type { Project } from '../catalog/project-store.js';
import { createRun, type CreatedRun, type CreateRunInput } from './create-run.js';
import type { RunDriver } from './run-supervisor.js';

/**
 * Creates a run of a resolved batch and hands it to its driver: the CLI's own supervisor (`cohort
 * run`), a background runner (`cohort run --no-wait`) or the server's supervisor (the API). The one
 * way a run starts, whoever asks.
 */
export async function startRun(
  catalog: Catalog,
  project: Project,
  input: CreateRunInput,
  driver: RunDriver,
): Promise<CreatedRun> {
  const run = createRun(catalog, project, input);
  await driver.start(run.runId);
  return run;
}
