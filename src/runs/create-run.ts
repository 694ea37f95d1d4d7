import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import type { Project } from '../catalog/project-store.js';
import type { BatchDefinition } from '../batches/batch-definition.js';
import {
  GROUP_ITEM,
  resolvedArguments,
  type BatchResolution,
  type ItemResolution,
} from '../batches/batch-resolution.js';
import { buildCommand } from '../jobs/build-command.js';
import { defaultLibraryDirs, loadLibrary, type LibraryJob } from '../jobs/library.js';
import type { JobDefinition } from '../jobs/job-definition.js';
import { invalidInput } from '../errors/cohort-error.js';
import { placeJob, type Placement } from '../queues/place-job.js';
import { assertIsolationProgram, isolatedCommand } from './isolated-command.js';
import { issueJobCredential } from './job-credential.js';
import type { TaskOutput, TaskProvenance } from './provenance.js';
import { jobFolder, runFolder, taskFolder } from './run-folder.js';
import { assertNoCollisions, groupJobIndices, groupTaskJob } from './group-jobs.js';
import { planUnits, type RunMode } from './run-modes.js';
import { insertRun } from './store/run-store.js';
import { insertBuiltTask, nextTaskId } from './store/new-tasks.js';
import { taskVariables } from './task-environment.js';

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

/**
 * Turns a resolved batch into a run: one task per runnable item and job, each with its command built,
 * its files written into its own folder (`<catalog.runsDir>/<run>/task-<id>/`, also its log folder) and its
 * provenance stored. Items missing a required input are reported, not run.
 */
export function createRun(catalog: Catalog, project: Project, input: CreateRunInput): CreatedRun {
  const { db } = catalog;
  let jobs: readonly LibraryJob[] | undefined;
  // The user's library from the one configured place (config.libraryDir), read once per run.
  const library = (): readonly LibraryJob[] =>
    (jobs ??= loadLibrary(defaultLibraryDirs(catalog.config.libraryDir)));
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
  const placements = input.batch.jobs.map((job) => placeJob(db, project, job, input.queue));
  assertOneQueuePerUnit(input.mode, placements);
  placements.forEach((p, i) =>
    assertIsolationProgram(input.batch.jobs[i]?.name ?? '', p, catalog.config.taskEnv.PATH ?? ''),
  );
  const unitOf = new Map<string, string>();
  for (const [unit, tasks] of plan) for (const t of tasks) unitOf.set(`${t.item}\u0000${t.jobIndex}`, unit);

  return db.transaction((): CreatedRun => {
    const runId = insertRun(db, {
      projectId: project.id,
      batch: input.batch,
      selection: input.selection,
      mode: input.mode,
      executor: placements[0]?.engine ?? 'local',
      owner: input.owner,
    });
    // The run's folder is its owner's alone: it holds the job credential (job-credential.ts).
    mkdirSync(runFolder(catalog.runsDir, runId), { recursive: true, mode: 0o700 });
    // Ids taken here (the transaction holds the write lock): a task's folder and command name its id,
    // so each task is one INSERT with everything rather than an insert and an update.
    let nextId = nextTaskId(db);
    const shared = new Map<string, string>();
    let count = 0;
    for (const { item: name, jobIndex } of order) {
      const item = byName.get(name);
      const declared = input.batch.jobs[jobIndex];
      if (item === undefined || declared === undefined) continue;
      const job = groupJobs.has(jobIndex) ? groupTaskJob(declared) : declared;
      const placement = placements[jobIndex] as Placement;
      const taskId = nextId++;
      const dir = taskFolder(catalog.runsDir, runId, taskId);
      // A sandbox or container mounts the task's folder, not the run's: its script stays in its own.
      const isolated = (placement.isolation?.kind ?? 'none') !== 'none';
      const provenance = taskProvenance(catalog, project, {
        item,
        job,
        jobIndex,
        taskId,
        dir,
        placement,
        // Only a library job needs the library: scripts do not pay for reading and parsing it.
        library: job.library === undefined ? [] : library(),
        ...(isolated ? {} : { shared: { dir: jobFolder(catalog.runsDir, runId, jobIndex), files: shared } }),
      });
      insertBuiltTask(
        db,
        taskId,
        {
          runId,
          projectId: project.id,
          item: item.item,
          subjectId: item.subjectId ?? null,
          studyId: item.study?.studyId ?? null,
          jobIndex,
          jobName: job.name,
          unit: unitOf.get(`${item.item}\u0000${jobIndex}`) ?? item.item,
          executor: placement.engine,
        },
        dir,
        provenance,
      );
      count++;
    }
    const skipped = input.resolution.items
      .filter((i) => !i.runnable)
      .map((i) => ({ item: i.item, reasons: i.problems }));
    issueJobCredential(db, catalog.runsDir, project.id, runId);
    return { runId, tasks: count, skipped };
  })();
}

/** An item of the run, or the group of all of them (group-level jobs). */
export type TaskItem = Pick<ItemResolution, 'item' | 'jobs'> &
  Partial<Pick<ItemResolution, 'subjectId' | 'study'>>;

/**
 * One mkdir (the run's folder exists): a recursive one costs a second system call per task. It may
 * exist already when an earlier creation of this run failed and rolled back its ids, or its caller
 * made it (a notebook). A task that writes no file of its own gets no folder here: its executor makes
 * it (the local one when it takes the task, a cluster array's element when it starts).
 */
function makeTaskFolder(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** One task of a run to build: its item (or the group), job, id, folder and placement. */
export interface TaskToBuild {
  readonly item: TaskItem;
  readonly job: JobDefinition;
  readonly jobIndex: number;
  readonly taskId: number;
  readonly dir: string;
  readonly placement: Placement;
  readonly library: readonly LibraryJob[];
  /**
   * The run's folder for this job, and the files written there so far (path to content): a script the
   * same for every item goes there once (BuildCommandOptions.scriptDir). Without it, into `dir`.
   */
  readonly shared?: { readonly dir: string; readonly files: Map<string, string> };
}

/** Builds a task's command, writes the files it needs (scripts, argument files) and returns its provenance. */
export function taskProvenance(catalog: Catalog, project: Project, t: TaskToBuild): TaskProvenance {
  const { item, job } = t;
  const values = resolvedArguments(item, t.jobIndex);
  const command = buildCommand(job, values, t.dir, {
    library: t.library,
    python: t.placement.python,
    ...(t.shared === undefined ? {} : { scriptDir: t.shared.dir }),
  });
  let folderMade = false;
  for (const file of command.files) {
    const known = t.shared?.files.get(file.path);
    if (known === file.content) continue;
    if (known !== undefined) throw new Error(`shared file ${file.path} differs between tasks`);
    if (dirname(file.path) !== t.dir) mkdirSync(dirname(file.path), { recursive: true });
    else if (!folderMade) makeTaskFolder(t.dir);
    folderMade ||= dirname(file.path) === t.dir;
    writeFileSync(file.path, file.content);
    if (t.shared !== undefined && dirname(file.path) === t.shared.dir)
      t.shared.files.set(file.path, file.content);
  }
  for (const folder of command.mkdirs) mkdirSync(folder, { recursive: true });
  const env = {
    ...command.env,
    ...taskVariables(catalog.config, {
      project: project.name,
      item: item.item,
      taskId: t.taskId,
      ...(item.study?.ref === undefined ? {} : { study: item.study.ref }),
    }),
  };
  const outputs: TaskOutput[] = job.args.flatMap((arg) =>
    arg.type === 'OUT' || arg.type === 'PATHOUT'
      ? [{ path: String(values[arg.name]), kind: arg.type, tags: arg.tags ?? [] }]
      : [],
  );
  const provenance: TaskProvenance = {
    job,
    arguments: values,
    argv: command.argv,
    env,
    cwd: t.dir,
    onError: job.options?.onError ?? 'break',
    ...(job.options?.tagOnSuccess === undefined ? {} : { tagOnSuccess: job.options.tagOnSuccess }),
    outputs,
    ...(item.study?.ref === undefined ? {} : { studyRef: item.study.ref }),
    placement: t.placement,
  };
  // A path a container cannot mount is the run's error now, not each task's at its start.
  isolatedCommand(provenance, env);
  return provenance;
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
