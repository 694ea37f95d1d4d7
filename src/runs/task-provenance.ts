import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import type { Project } from '../catalog/project-store.js';
import { resolvedArguments, type ItemResolution } from '../batches/batch-resolution.js';
import { buildCommand } from '../jobs/build-command.js';
import type { LibraryJob } from '../jobs/library.js';
import type { JobDefinition } from '../jobs/job-definition.js';
import type { Placement } from '../queues/place-job.js';
import { isolatedCommand } from './isolated-command.js';
import type { TaskOutput, TaskProvenance } from './provenance.js';
import { taskVariables } from './task-environment.js';

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
