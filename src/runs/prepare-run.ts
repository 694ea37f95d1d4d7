import type { Catalog } from '../catalog/catalog.js';
import type { Project } from '../catalog/project-store.js';
import type { BatchDefinition } from '../batches/batch-definition.js';
import { GROUP_ITEM, type BatchResolution } from '../batches/batch-resolution.js';
import { invalidInput } from '../errors/cohort-error.js';
import { placeJob, type Placement } from '../queues/place-job.js';
import { assertIsolationProgram } from './isolated-command.js';
import { assertNoCollisions, groupJobIndices } from './group-jobs.js';
import { planUnits, type RunMode } from './run-modes.js';
import type { TaskItem } from './task-provenance.js';

export interface CreateRunInput {
  readonly batch: BatchDefinition;
  readonly resolution: BatchResolution;
  readonly mode: RunMode;
  /** For mode `n-units`: how many scheduler jobs. */
  readonly units?: number;
  /** The run's queue for jobs that name none (`cohort run --queue`); default: the project's default queue. */
  readonly queue?: string;
  readonly owner: string;
  /** The selection as the user gave it, kept with the run. */
  readonly selection: string;
}

export interface CreatedRun {
  readonly runId: number;
  readonly tasks: number;
  /** Items left out because an input is missing, with the reasons (the rest run). */
  readonly skipped: ReadonlyArray<{ readonly item: string; readonly reasons: readonly string[] }>;
}

/** One task a run will have: its item (or the group), job and unit, in creation order. */
export interface PlannedTask {
  readonly item: TaskItem;
  readonly jobIndex: number;
  readonly unit: string;
}

/** What a run's creation needs, checked and planned before anything is written. */
export interface PreparedRun {
  readonly input: CreateRunInput;
  readonly tasks: readonly PlannedTask[];
  readonly placements: readonly Placement[];
  /** Jobs run once over all items (group-level), by index. */
  readonly groupJobs: ReadonlySet<number>;
  readonly skipped: CreatedRun['skipped'];
  /**
   * Whether the tasks may be created and submitted in chunks (start-run.ts): every task is a unit of
   * its own on the local executor, and no group-level job waits for every item before it.
   */
  readonly chunkable: boolean;
  /**
   * The order in which chunks create the tasks (indices into `tasks`, whose order their ids keep): job
   * by job in mode chained, so that the first chunk holds 32 items' first jobs, all ready to run,
   * where item by item it held three items' chains of which one task each could run at a time and the
   * slots stood idle while the next chunk was created. As planned otherwise (every task is ready).
   */
  readonly chunkOrder: readonly number[];
}

/**
 * Checks a resolved batch and plans its run: the tasks in creation order (item by item, or job by job
 * when group jobs need it), their units and placements. Writes nothing.
 * @throws CohortError INVALID_INPUT for an empty selection, no runnable item, bad units or queues.
 */
export function prepareRun(catalog: Catalog, project: Project, input: CreateRunInput): PreparedRun {
  const ready = input.resolution.items.filter((i) => i.runnable);
  if (input.resolution.items.length === 0) {
    throw invalidInput(
      'The selection is empty: no study or subject matches it, so there is nothing to run.',
      'List what it selects with `cohort studies SELECTOR` (or `cohort subjects`), then widen it.',
    );
  }
  if (ready.length === 0) {
    throw invalidInput(
      'No item of the selection can run: every one misses an input.',
      'Check the resolution preview (`cohort preview`) and fix the patterns.',
    );
  }
  if (input.units !== undefined && !(Number.isInteger(input.units) && input.units >= 1)) {
    throw invalidInput(
      `Run mode n-units needs a whole number of units of at least 1 (got ${String(input.units)}).`,
      'Give --units N, e.g. --units 4.',
    );
  }
  assertNoCollisions(input.resolution);
  const groupJobs = groupJobIndices(input.batch, input.mode);
  const plan = planUnits(
    ready.map((i) => i.item),
    input.batch.jobs.length,
    input.mode,
    input.units,
    { indices: groupJobs, item: GROUP_ITEM },
  );
  // Tasks in plan order when group jobs need job-by-job ids (plan-units follows that order); item by item otherwise.
  const order =
    groupJobs.size > 0
      ? [...plan.values()].flat()
      : ready.flatMap((item) => input.batch.jobs.map((_, jobIndex) => ({ item: item.item, jobIndex })));
  const byName = new Map<string, TaskItem>(ready.map((i) => [i.item, i]));
  if (input.resolution.group !== undefined) byName.set(GROUP_ITEM, input.resolution.group);
  const placements = input.batch.jobs.map((job) => placeJob(catalog.db, project, job, input.queue));
  assertOneQueuePerUnit(input.mode, placements);
  placements.forEach((p, i) =>
    assertIsolationProgram(input.batch.jobs[i]?.name ?? '', p, catalog.config.taskEnv.PATH ?? ''),
  );
  const unitOf = new Map<string, string>();
  for (const [unit, tasks] of plan) for (const t of tasks) unitOf.set(`${t.item}\u0000${t.jobIndex}`, unit);
  const tasks = order.flatMap(({ item: name, jobIndex }): PlannedTask[] => {
    const item = byName.get(name);
    if (item === undefined || input.batch.jobs[jobIndex] === undefined) return [];
    return [{ item, jobIndex, unit: unitOf.get(`${name}\u0000${jobIndex}`) ?? name }];
  });
  const indices = tasks.map((_, i) => i);
  const chunkOrder =
    input.mode === 'chained'
      ? indices.sort((a, b) => tasks[a]!.jobIndex - tasks[b]!.jobIndex || a - b)
      : indices;
  return {
    input,
    tasks,
    chunkOrder,
    placements,
    groupJobs,
    skipped: input.resolution.items
      .filter((i) => !i.runnable)
      .map((i) => ({ item: i.item, reasons: i.problems })),
    chunkable:
      groupJobs.size === 0 &&
      (input.mode === 'chained' || input.mode === 'unordered') &&
      placements.every((p) => p.engine === 'local'),
  };
}

/** Grouped run modes put several jobs into one scheduler job, which can only go to one queue. */
function assertOneQueuePerUnit(mode: RunMode, placements: readonly Placement[]): void {
  if (mode === 'chained' || mode === 'unordered') return;
  const queues = [...new Set(placements.map((p) => p.queue))];
  if (queues.length > 1) {
    throw invalidInput(
      `Run mode '${mode}' puts several jobs into one scheduler job, but the batch's jobs go to different queues (${queues.join(', ')}).`,
      'Run with --mode chained, or give every job the same queue (options.resources.queue).',
      { mode, queues },
    );
  }
}
