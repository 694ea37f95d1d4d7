import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import type { Project } from '../catalog/project-store.js';
import type { BatchDefinition } from '../batches/batch-definition.js';
import { resolvedArguments, type BatchResolution } from '../batches/batch-resolution.js';
import { buildCommand } from '../jobs/build-command.js';
import { defaultLibraryDirs, loadLibrary, type LibraryJob } from '../jobs/library.js';
import { invalidInput } from '../errors/cohort-error.js';
import { planUnits, type RunMode } from './run-modes.js';
import { taskVariables } from './task-environment.js';
import type { TaskProvenance } from './task-store.js';
import { placeJob, type Placement } from '../queues/place-job.js';
import { issueJobCredential } from './job-credential.js';

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
 * its files written into its own folder (`<home>/runs/<run>/<task>/`, also its log folder) and its
 * provenance stored. Items missing a required input are reported, not run.
 */
export function createRun(catalog: Catalog, project: Project, input: CreateRunInput): CreatedRun {
  const { db, config } = catalog;
  let jobs: readonly LibraryJob[] | undefined;
  // The user's library from the one configured place (config.libraryDir), read once per run.
  const library = (): readonly LibraryJob[] => (jobs ??= loadLibrary(defaultLibraryDirs(config.libraryDir)));
  const ready = input.resolution.items.filter((i) => i.runnable);
  if (ready.length === 0) {
    throw invalidInput(
      'No item of the selection can run: every one misses an input.',
      'Check the resolution preview (`cohort preview`) and fix the patterns.',
    );
  }
  const plan = planUnits(
    ready.map((i) => i.item),
    input.batch.jobs.length,
    input.mode,
    input.units,
  );
  const placements = input.batch.jobs.map((job) => placeJob(db, project, job, input.queue));
  assertOneQueuePerUnit(input.mode, placements);
  const unitOf = new Map<string, string>();
  for (const [unit, tasks] of plan) for (const t of tasks) unitOf.set(`${t.item}\u0000${t.jobIndex}`, unit);

  const placement = (jobIndex: number): Placement => placements[jobIndex] as Placement;
  return db.transaction((): CreatedRun => {
    const runId = Number(
      db
        .prepare(
          `INSERT INTO runs (project_id, batch_name, definition, level, selection, run_mode, executor, owner, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          project.id,
          input.batch.name,
          JSON.stringify(input.batch),
          input.batch.level,
          input.selection,
          input.mode,
          placements[0]?.engine ?? 'local',
          input.owner,
          Date.now(),
        ).lastInsertRowid,
    );
    const insert = db.prepare(
      `INSERT INTO tasks (run_id, project_id, item, subject_id, study_id, job_index, job_name, state, unit, executor, resolved, log_dir, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, '{}', '', ?)`,
    );
    const finish = db.prepare('UPDATE tasks SET resolved = ?, log_dir = ? WHERE id = ?');
    let count = 0;
    for (const item of ready) {
      input.batch.jobs.forEach((job, jobIndex) => {
        const taskId = Number(
          insert.run(
            runId,
            project.id,
            item.item,
            item.subjectId,
            item.study?.studyId ?? null,
            jobIndex,
            job.name,
            unitOf.get(`${item.item}\u0000${jobIndex}`) ?? item.item,
            placement(jobIndex).engine,
            Date.now(),
          ).lastInsertRowid,
        );
        // The run's folder is its owner's alone: task files carry the job credential (job-credential.ts).
        const runDir = join(config.home, 'runs', String(runId));
        mkdirSync(runDir, { recursive: true, mode: 0o700 });
        const dir = join(runDir, `task-${taskId}`);
        mkdirSync(dir, { recursive: true });
        const values = resolvedArguments(item, jobIndex);
        const command = buildCommand(job, values, dir, {
          library: library(),
          python: placement(jobIndex).python,
        });
        for (const file of command.files) {
          mkdirSync(dirname(file.path), { recursive: true });
          writeFileSync(file.path, file.content);
        }
        for (const folder of command.mkdirs) mkdirSync(folder, { recursive: true });
        const env = {
          ...command.env,
          ...taskVariables(config, {
            project: project.name,
            item: item.item,
            taskId,
            ...(item.study === null ? {} : { study: item.study.ref }),
          }),
        };
        const outputs = job.args.flatMap((arg) =>
          arg.type === 'OUT' || arg.type === 'PATHOUT'
            ? [{ path: String(values[arg.name]), kind: arg.type, tags: arg.tags ?? [] }]
            : [],
        );
        const provenance: TaskProvenance = {
          job,
          arguments: values,
          argv: command.argv,
          env,
          cwd: dir,
          onError: job.options?.onError ?? 'break',
          ...(job.options?.tagOnSuccess === undefined ? {} : { tagOnSuccess: job.options.tagOnSuccess }),
          outputs,
          ...(item.study === null ? {} : { studyRef: item.study.ref }),
          placement: placement(jobIndex),
        };
        finish.run(JSON.stringify(provenance), dir, taskId);
        count++;
      });
    }
    const skipped = input.resolution.items
      .filter((i) => !i.runnable)
      .map((i) => ({ item: i.item, reasons: i.problems }));
    issueJobCredential(db, config.home, project.id, runId);
    return { runId, tasks: count, skipped };
  })();
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
