import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BatchDefinition } from '../../batches/batch-definition.js';
import type { ItemResolution } from '../../batches/batch-resolution.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { Project } from '../../catalog/project-store.js';
import { notFound } from '../../errors/cohort-error.js';
import { withEnvironment } from '../../jobs/environment-line.js';
import { defaultLibraryDirs, loadLibrary } from '../../jobs/library.js';
import { DEFAULT_PYTHON } from '../../jobs/python-command.js';
import { placeJob, type Placement } from '../../queues/place-job.js';
import type { JobDefinition } from '../../jobs/job-definition.js';
import { taskProvenance } from '../task-provenance.js';
import { issueJobCredential } from '../job-credential.js';
import type { TaskProvenance } from '../provenance.js';
import { runFolder, taskFolder } from '../run-folder.js';
import { insertRun, runBatchName } from '../store/run-store.js';
import { insertTask, setTaskCommand } from '../store/new-tasks.js';
import { getTask, type Task } from '../store/task-store.js';
import { taskVariables } from '../task-environment.js';
import { assertDebuggable, buildNotebook } from './build-notebook.js';
import { NOTEBOOK_LAUNCHER } from './notebook-launcher.js';

/** A notebook server ends itself after this long without activity unless configured (one hour). */
export const DEFAULT_IDLE_SECONDS = 3600;

/** The notebook's file name in its task's folder. */
export const NOTEBOOK_FILE = 'notebook.ipynb';

/** What the notebook is made from: a task that ran (or failed), or a batch's job for one item. */
export type NotebookOf =
  | { readonly kind: 'task'; readonly taskId: number }
  | {
      readonly kind: 'batch';
      readonly batch: BatchDefinition;
      readonly jobIndex: number;
      readonly item: ItemResolution;
    };

export interface NotebookRunInput {
  readonly of: NotebookOf;
  /** `server`: a Jupyter server to debug in; `execute`: the notebook run headless (the faithfulness check). */
  readonly mode: 'server' | 'execute';
  readonly owner: string;
  /** Default: the configuration's notebookIdleSeconds (COHORT_NOTEBOOK_IDLE_MINUTES, else one hour). */
  readonly idleSeconds?: number;
}

export interface CreatedNotebookRun {
  readonly runId: number;
  readonly taskId: number;
  /** The notebook's absolute path. */
  readonly notebook: string;
}

/**
 * A run of one notebook task on the job's queue: writes the notebook built from the job's provenance,
 * the kernels it uses and the launcher into the task's folder; hand the run to a driver (`startRun`'s
 * RunDriver) like any run, so the grid, kill and resume work unchanged.
 *
 * @throws CohortError NOT_FOUND for an unknown task or one whose input files are gone; INVALID_INPUT
 *   for a task that is itself a notebook task.
 */
export function createNotebookRun(
  catalog: Catalog,
  project: Project,
  input: NotebookRunInput,
): CreatedNotebookRun {
  const { db } = catalog;
  const origin = originOf(catalog, project, input.of);
  const { job, placement, item } = origin;
  return db.transaction((): CreatedNotebookRun => {
    const runId = insertRun(db, {
      projectId: project.id,
      batch: { name: `debug: ${job.name}`, level: item.includes('#') ? 'study' : 'subject', jobs: [job] },
      selection: item,
      mode: 'chained',
      executor: placement.engine,
      owner: input.owner,
    });
    mkdirSync(runFolder(catalog.runsDir, runId), { recursive: true, mode: 0o700 });
    const taskId = insertTask(db, {
      runId,
      projectId: project.id,
      item,
      subjectId: origin.subjectId,
      studyId: origin.studyId,
      jobIndex: 0,
      jobName: `${input.mode === 'server' ? 'Jupyter' : 'Notebook'}: ${job.name}`,
      unit: item,
      executor: placement.engine,
    });
    const dir = taskFolder(catalog.runsDir, runId, taskId);
    mkdirSync(dir, { recursive: true });
    // Before any run the job's provenance is built as a run would build it, in this task's folder.
    const jobProvenance =
      origin.provenance ??
      taskProvenance(catalog, project, {
        item: origin.resolution as ItemResolution,
        job,
        jobIndex: origin.jobIndex,
        taskId,
        dir,
        placement,
        library: loadLibrary(defaultLibraryDirs(catalog.config.libraryDir)),
      });
    const source = origin.sourceTask === undefined ? undefined : { id: origin.sourceTask };
    const notebook = join(dir, NOTEBOOK_FILE);
    const built = buildNotebook(jobProvenance, {
      item,
      ...(source === undefined ? {} : { sourceTask: source.id }),
    });
    writeFileSync(notebook, `${JSON.stringify(built, null, 1)}\n`);
    writeKernels(dir, placement.python);
    writeFileSync(join(dir, 'notebook-launcher.py'), NOTEBOOK_LAUNCHER);
    writeFileSync(join(dir, 'notebook-token'), `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
    const idleSeconds = input.idleSeconds ?? catalog.config.notebookIdleSeconds;
    // Bound to this machine only for local tasks; on a cluster node the user's browser comes from elsewhere.
    const bind = placement.engine === 'local' ? '127.0.0.1' : '0.0.0.0';
    const launcher = [DEFAULT_PYTHON, join(dir, 'notebook-launcher.py'), input.mode, notebook];
    const provenance: TaskProvenance = {
      job,
      arguments: jobProvenance.arguments,
      // The environment line runs first, as for the job: the kernel inherits what it sets up.
      argv: withEnvironment(job.environment, [
        ...launcher,
        `/cohort/task-${taskId}/`,
        String(idleSeconds),
        bind,
      ]),
      env: taskVariables(catalog.config, {
        project: project.name,
        item,
        taskId,
        ...(jobProvenance.studyRef === undefined ? {} : { study: jobProvenance.studyRef }),
      }),
      cwd: dir,
      onError: 'break',
      outputs: [],
      ...(jobProvenance.studyRef === undefined ? {} : { studyRef: jobProvenance.studyRef }),
      placement,
      notebook: {
        mode: input.mode,
        path: notebook,
        ...(source === undefined ? {} : { sourceTask: source.id }),
        ...(input.mode === 'server' ? { idleSeconds } : {}),
        batchName: origin.batchName,
        jobIndex: origin.jobIndex,
      },
    };
    setTaskCommand(db, taskId, dir, provenance);
    issueJobCredential(db, catalog.runsDir, project.id, runId);
    return { runId, taskId, notebook };
  })();
}

/** Where a notebook comes from, whichever way it was asked for. */
interface Origin {
  readonly job: JobDefinition;
  readonly placement: Placement;
  readonly item: string;
  readonly subjectId: number | null;
  readonly studyId: number | null;
  readonly batchName: string;
  readonly jobIndex: number;
  /** A task's stored provenance; absent before any run (then `resolution` is the item's). */
  readonly provenance?: TaskProvenance;
  readonly sourceTask?: number;
  readonly resolution?: ItemResolution;
}

function originOf(catalog: Catalog, project: Project, of: NotebookOf): Origin {
  if (of.kind === 'task') {
    const task = sourceTask(catalog, project, of.taskId);
    const { provenance } = task;
    return {
      job: provenance.job,
      placement: provenance.placement ?? placeJob(catalog.db, project, provenance.job, 'local'),
      item: task.item,
      subjectId: task.subject_id,
      studyId: task.study_id,
      batchName: runBatchName(catalog.db, task.run_id) ?? '',
      jobIndex: task.job_index,
      provenance,
      sourceTask: task.id,
    };
  }
  const job = of.batch.jobs[of.jobIndex];
  if (job === undefined) throw notFound(`The batch '${of.batch.name}' has no job ${of.jobIndex + 1}.`);
  return {
    job,
    placement: placeJob(catalog.db, project, job, of.batch.queue),
    item: of.item.item,
    subjectId: of.item.subjectId,
    studyId: of.item.study?.studyId ?? null,
    batchName: of.batch.name,
    jobIndex: of.jobIndex,
    resolution: of.item,
  };
}

function sourceTask(catalog: Catalog, project: Project, taskId: number): Task {
  const task = getTask(catalog.db, taskId);
  if (task === undefined || task.project_id !== project.id) {
    throw notFound(
      `There is no task ${taskId} in project '${project.name}'.`,
      'See `cohort grid --all` for task ids.',
    );
  }
  assertDebuggable(taskId, task.provenance);
  const gone = task.provenance.job.args.flatMap((arg): string[] => {
    const value: unknown = task.provenance.arguments[arg.name];
    if (arg.type !== 'FILE' || !Array.isArray(value)) return [];
    return (value as unknown[]).map(String).filter((path) => !existsSync(path));
  });
  if (gone.length > 0) {
    throw notFound(
      `The inputs of task ${taskId} are gone: ${gone.join(', ')}.`,
      `Restore them, or debug the batch's job for the item as it resolves now: cohort debug --batch BATCH --job N --item '${task.item}'.`,
      { taskId, gone },
    );
  }
  return task;
}

// The kernels the notebook names, in the task's folder (JUPYTER_PATH): Python with the job's queue's
// interpreter, as the job runs; Octave through Debian's octave_kernel with the system Python (its own
// kernel.json says `python`, which may be another interpreter without the module).
function writeKernels(dir: string, python: string): void {
  const kernels = {
    python3: {
      argv: [python, '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
      display_name: 'Python 3',
      language: 'python',
    },
    octave: {
      argv: [DEFAULT_PYTHON, '-m', 'octave_kernel', '-f', '{connection_file}'],
      display_name: 'Octave',
      language: 'octave',
      mimetype: 'text/x-octave',
    },
  };
  for (const [name, spec] of Object.entries(kernels)) {
    const folder = join(dir, 'jupyter', 'kernels', name);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'kernel.json'), `${JSON.stringify(spec, null, 2)}\n`);
  }
}
