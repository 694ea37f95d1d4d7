import type { Catalog } from '../catalog/catalog.js';
import type { Project } from '../catalog/project-store.js';
import { prepareRun, type CreatedRun, type CreateRunInput } from './prepare-run.js';
import { RunBuilder } from './run-builder.js';
import type { RunDriver } from './run-supervisor.js';

/**
 * How a run's tasks are created in chunks: the first chunk, created with the run, starts running at
 * once; each next one is twice as large, up to `largest`. Small first chunks put the first task's start
 * early (it waited for all 1,000 tasks of a run before: +0.33-0.44 s). Later ones no larger than the
 * launcher's queue of tasks handed over ahead (AHEAD_PER_SLOT): while a chunk is created no task end is
 * handled, and with chunks of 128 the slots ran dry meanwhile.
 */
export interface Chunking {
  readonly first: number;
  readonly largest: number;
}

export const DEFAULT_CHUNKING: Chunking = { first: 32, largest: 32 };

/**
 * Creates a run of a resolved batch and hands it to its driver: the CLI's own supervisor (`cohort
 * run`), a background runner (`cohort run --no-wait`) or the server's supervisor (the API). The one
 * way a run starts, whoever asks. A driver in this process (a supervisor) gets a run of local tasks
 * chunk by chunk while it is created, so its first tasks run meanwhile; other runs are created whole.
 */
export async function startRun(
  catalog: Catalog,
  project: Project,
  input: CreateRunInput,
  driver: RunDriver,
  chunking: Chunking = DEFAULT_CHUNKING,
): Promise<CreatedRun> {
  const prepared = prepareRun(catalog, project, input);
  const total = prepared.tasks.length;
  const startCreating = driver.startCreating?.bind(driver);
  if (startCreating === undefined || !prepared.chunkable || total <= chunking.first) {
    // Provenances kept for provenanceOf: a supervisor in this process submits them without parsing.
    const builder = new RunBuilder(catalog, project, prepared, { remember: true });
    builder.begin(total);
    await driver.start(builder.runId);
    return { runId: builder.runId, tasks: total, skipped: prepared.skipped };
  }
  const builder = new RunBuilder(catalog, project, prepared);
  let size = chunking.first;
  const first = builder.begin(size);
  await startCreating(builder.runId, first, () => {
    if (builder.remaining === 0) return undefined;
    size = Math.min(size * 2, chunking.largest);
    return builder.more(size);
  });
  return { runId: builder.runId, tasks: total, skipped: prepared.skipped };
}
