import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateBatch } from '../batches/batch-definition.js';
import { resolveBatch } from '../batches/resolve-batch.js';
import { openCatalog, type Catalog } from '../catalog/catalog.js';
import { indexProject } from '../catalog/indexer/index-project.js';
import { createProject, type Project } from '../catalog/project-store.js';
import { resolveConfig } from '../config/resolve-config.js';
import { ExecutorSet } from '../executors/index.js';
// Test support: the in-memory executor is not part of the executors' shipped surface.
import { MemoryExecutor } from '../executors/memory/memory-executor.js';
import type { OnError } from '../jobs/job-definition.js';
import { saveQueue } from '../queues/queue-store.js';
import { createRun } from './create-run.js';
import { Engine } from './engine.js';
import type { RunMode } from './run-modes.js';
import { tasksOfRun, type TaskRow } from './store/task-store.js';

// Test-only (excluded from the build): a real catalog of a few studies, and the engine over in-memory
// executors whose tasks advance only when the test says so.

export interface EngineFixture {
  readonly catalog: Catalog;
  readonly project: Project;
  readonly local: MemoryExecutor;
  readonly slurm: MemoryExecutor;
  readonly executors: ExecutorSet;
  engine: Engine;
  /** Creates a run of one job per entry over every study, each job on its queue (default local). */
  run(jobs: readonly JobShape[], mode?: RunMode, units?: number): number;
  tasks(runId: number): TaskRow[];
  /** The executor id of the task of `item` and job `jobIndex`. */
  executorId(runId: number, item: string, jobIndex: number): string;
  /** A new engine over the same executors and catalog: a restarted runner. */
  restart(): Engine;
  close(): void;
}

export interface JobShape {
  readonly onError?: OnError;
  readonly queue?: 'local' | 'cluster';
  /** A group-level job: one task over every study. */
  readonly group?: boolean;
}

/** Studies P001#1 and P002#1, each with `t1/s001.nii`. */
export async function createEngineFixture(): Promise<EngineFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-engine-'));
  for (const pid of ['P001', 'P002']) {
    mkdirSync(join(dir, 'root', pid, '1', 't1'), { recursive: true });
    writeFileSync(join(dir, 'root', pid, '1', 't1', 's001.nii'), pid);
  }
  const config = resolveConfig({ home: join(dir, 'home'), taskEnv: { PATH: '/usr/bin:/bin' } }, {});
  const catalog = openCatalog(config);
  const project = createProject(catalog.db, { name: 'p', root: join(dir, 'root'), layout: 'folders' });
  await indexProject(catalog, project, { threads: 1 });
  saveQueue(catalog.db, project, { name: 'cluster', engine: 'slurm', defaults: {}, schedulerArgs: [] });
  const local = new MemoryExecutor({ kind: 'local' });
  const slurm = new MemoryExecutor({ kind: 'slurm', tellsChanges: false });
  const executors = ExecutorSet.of(local, slurm);
  const f: EngineFixture = {
    catalog,
    project,
    local,
    slurm,
    executors,
    engine: new Engine(catalog, executors),
    run(jobs, mode = 'chained', units) {
      const batch = validateBatch({
        name: 'b',
        level: 'study',
        jobs: jobs.map((j, i) => ({
          name: `J${i}`,
          ...(j.group === true ? { level: 'group' } : {}),
          language: 'bash',
          script: `echo job ${i} "$f1"`,
          args: [{ type: 'FILE', name: 'f1', patterns: ['t1/s001.nii'], ref: { kind: 'current' } }],
          options: {
            onError: j.onError ?? 'break',
            ...(j.queue === 'cluster' ? { resources: { queue: 'cluster' } } : {}),
          },
        })),
      });
      const resolution = resolveBatch(catalog.db, project, batch);
      return createRun(catalog, project, {
        batch,
        resolution,
        mode,
        ...(units === undefined ? {} : { units }),
        owner: 'test',
        selection: '*',
      }).runId;
    },
    tasks: (runId) => tasksOfRun(catalog.db, runId),
    executorId(runId, item, jobIndex) {
      const task = tasksOfRun(catalog.db, runId).find((t) => t.item === item && t.job_index === jobIndex);
      if (task?.executor_id == null) throw new Error(`task ${item}/${jobIndex} has no executor id`);
      return task.executor_id;
    },
    restart() {
      f.engine = new Engine(catalog, executors);
      return f.engine;
    },
    close() {
      catalog.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return f;
}

/** `item/job:state` of every task, for compact assertions. */
export function states(tasks: readonly TaskRow[]): string[] {
  return tasks.map((t) => `${t.item}/${t.job_index}:${t.state}`);
}
