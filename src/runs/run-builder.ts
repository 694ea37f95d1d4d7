import { mkdirSync } from 'node:fs';
import type { Catalog } from '../catalog/catalog.js';
import type { Project } from '../catalog/project-store.js';
import { defaultLibraryDirs, loadLibrary, type LibraryJob } from '../jobs/library.js';
import type { Placement } from '../queues/place-job.js';
import { groupTaskJob } from './group-jobs.js';
import { issueJobCredential } from './job-credential.js';
import type { PlannedTask, PreparedRun } from './prepare-run.js';
import type { TaskProvenance } from './provenance.js';
import { jobFolder, runFolder, taskFolder } from './run-folder.js';
import { endCreation, insertRun } from './store/run-store.js';
import { insertBuiltTask, nextTaskId, reserveTaskIds } from './store/new-tasks.js';
import type { TaskRow } from './store/task-store.js';
import { taskProvenance } from './task-provenance.js';

/** Tasks just created, as their rows and provenances: what the engine submits without reading them back. */
export interface CreatedTasks {
  readonly rows: readonly TaskRow[];
  readonly provenances: ReadonlyMap<number, TaskProvenance>;
  /** Whether these complete the run (no chunk follows). */
  readonly last: boolean;
}

/**
 * Writes a prepared run: the run's row, folder and job credential with its first tasks, then the
 * others, each chunk in a transaction of its own. Each task gets its command built, the files it needs
 * written (`<catalog.runsDir>/<run>/task-<id>/`, also its log folder, or the job's folder for a script
 * every item shares) and its provenance stored. One chunk of all tasks is `createRun`; several let the
 * first tasks start while the rest are created (start-run.ts).
 */
export class RunBuilder {
  private id: number | undefined;
  /** The id of the run's first task: task i of `prepared.tasks` gets `firstId + i`, whichever chunk makes it. */
  private firstId = 0;
  /** The order tasks are created in (indices into `prepared.tasks`), and how many of it are done. */
  private order: readonly number[] = [];
  private next = 0;
  /** Files written into the jobs' folders so far (path to content), shared by every chunk. */
  private readonly shared = new Map<string, string>();
  private jobs: readonly LibraryJob[] | undefined;

  constructor(
    private readonly catalog: Catalog,
    private readonly project: Project,
    private readonly prepared: PreparedRun,
    /** Keep the provenances for `provenanceOf` (new-tasks.ts): for a caller that hands over only the run id. */
    private readonly options: { readonly remember?: boolean } = {},
  ) {}

  get runId(): number {
    if (this.id === undefined) throw new Error('the run was not begun');
    return this.id;
  }

  /** Tasks not created yet. */
  get remaining(): number {
    return this.prepared.tasks.length - this.next;
  }

  /**
   * Inserts the run with its first `count` tasks in one transaction. While tasks remain, the run keeps
   * how many it will have (`planned_tasks`): a runner that dies before the last chunk leaves that said.
   * Ids are taken for all its tasks at once, in the order of `prepared.tasks`, also when chunks create
   * them in another (`prepared.chunkOrder`): a run's tasks list in the same order either way.
   */
  begin(count: number): CreatedTasks {
    const { db } = this.catalog;
    const { input, placements, tasks, chunkOrder } = this.prepared;
    const chunked = count < tasks.length;
    this.order = chunked ? chunkOrder : tasks.map((_, i) => i);
    return this.transaction(() => {
      const runId = insertRun(db, {
        projectId: this.project.id,
        batch: input.batch,
        selection: input.selection,
        mode: input.mode,
        executor: placements[0]?.engine ?? 'local',
        owner: input.owner,
        ...(chunked ? { plannedTasks: tasks.length } : {}),
      });
      this.id = runId;
      // The run's folder is its owner's alone: it holds the job credential (job-credential.ts).
      mkdirSync(runFolder(this.catalog.runsDir, runId), { recursive: true, mode: 0o700 });
      issueJobCredential(db, this.catalog.runsDir, this.project.id, runId);
      // Taken here, in the transaction that holds the write lock: a task's folder and command name its id.
      this.firstId = nextTaskId(db);
      const created = this.createTasks(count);
      if (chunked) reserveTaskIds(db, this.firstId + tasks.length - 1);
      return created;
    });
  }

  /** Creates the next `count` tasks in one transaction; the last chunk marks the run's tasks all created. */
  more(count: number): CreatedTasks {
    return this.transaction(() => {
      const created = this.createTasks(count);
      if (this.remaining === 0) endCreation(this.catalog.db, this.runId);
      return created;
    });
  }

  /**
   * BEGIN IMMEDIATE: the ids are taken before the inserts, and a deferred transaction that another
   * process's write (a running task's `cohort add`) got ahead of could not upgrade to write them.
   */
  private transaction<T>(fn: () => T): T {
    return this.catalog.db.transaction(fn).immediate();
  }

  private createTasks(count: number): CreatedTasks {
    const { db, runsDir } = this.catalog;
    const { input, placements, groupJobs, tasks } = this.prepared;
    const runId = this.runId;
    const rows: TaskRow[] = [];
    const provenances = new Map<number, TaskProvenance>();
    const end = Math.min(this.order.length, this.next + count);
    for (const index of this.order.slice(this.next, end)) {
      const { item, jobIndex, unit } = tasks[index] as PlannedTask;
      const declared = input.batch.jobs[jobIndex];
      if (declared === undefined) continue;
      const job = groupJobs.has(jobIndex) ? groupTaskJob(declared) : declared;
      const placement = placements[jobIndex] as Placement;
      // Known before the insert, so each task is one INSERT with everything, not an insert and an update.
      const taskId = this.firstId + index;
      const dir = taskFolder(runsDir, runId, taskId);
      // A sandbox or container mounts the task's folder, not the run's: its script stays in its own.
      const isolated = (placement.isolation?.kind ?? 'none') !== 'none';
      const provenance = taskProvenance(this.catalog, this.project, {
        item,
        job,
        jobIndex,
        taskId,
        dir,
        placement,
        // Only a library job needs the library: scripts do not pay for reading and parsing it.
        library: job.library === undefined ? [] : this.library(),
        ...(isolated ? {} : { shared: { dir: jobFolder(runsDir, runId, jobIndex), files: this.shared } }),
      });
      const row = insertBuiltTask(
        db,
        taskId,
        {
          runId,
          projectId: this.project.id,
          item: item.item,
          subjectId: item.subjectId ?? null,
          studyId: item.study?.studyId ?? null,
          jobIndex,
          jobName: job.name,
          unit,
          executor: placement.engine,
        },
        dir,
        provenance,
        this.options.remember === true,
      );
      rows.push(row);
      provenances.set(taskId, provenance);
    }
    this.next = end;
    return { rows, provenances, last: this.remaining === 0 };
  }

  /** The user's library from the one configured place (config.libraryDir), read once per run. */
  private library(): readonly LibraryJob[] {
    this.jobs ??= loadLibrary(defaultLibraryDirs(this.catalog.config.libraryDir));
    return this.jobs;
  }
}
