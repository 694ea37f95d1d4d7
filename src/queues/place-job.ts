import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import type { ExecutorKind } from '../executors/executor-kinds.js';
import type { Isolation } from '../jobs/isolation.js';
import type { JobDefinition, Resources } from '../jobs/job-definition.js';
import { assertQueue, defaultQueueName, pythonOf, type Queue } from './queue-store.js';

/** Where one job of a run goes, as stored with each task (provenance) and handed to its executor. */
export interface Placement {
  readonly queue: string;
  readonly engine: ExecutorKind;
  /** The queue's defaults under the job's own resources; `queue` holds the partition or SGE queue. */
  readonly resources: Resources;
  readonly schedulerArgs: readonly string[];
  /** The interpreter of Python jobs on this queue ({@link pythonOf}). */
  readonly python: string;
  /** Sandbox or container of the job: its own (`options.isolation`), else its queue's. */
  readonly isolation?: Isolation;
}

/**
 * Picks a job's queue: the job's own setting (`options.resources.queue`), else the run's (`cohort run
 * --queue`), else the project's default, else `local`; then lays the job's resources over the queue's
 * defaults. Queues are looked up once per name per run.
 */
export function placeJob(
  db: Db,
  project: Project,
  job: JobDefinition,
  runQueue: string | undefined,
  cache: Map<string, Queue> = new Map(),
): Placement {
  const own = job.options?.resources ?? {};
  const name = own.queue ?? runQueue ?? defaultQueueName(db, project);
  let queue = cache.get(name);
  if (queue === undefined) {
    queue = assertQueue(db, project, name, job.name);
    cache.set(name, queue);
  }
  const { queue: _name, ...asked } = own;
  const resources: Resources = {
    ...queue.defaults,
    ...asked,
    ...(queue.target === undefined ? {} : { queue: queue.target }),
  };
  return {
    queue: queue.name,
    engine: queue.engine,
    resources,
    schedulerArgs: queue.schedulerArgs,
    python: pythonOf(queue),
    ...isolationOf(job.options?.isolation ?? queue.isolation),
  };
}

/** No field for no isolation: provenance records of plain tasks stay as they were. */
function isolationOf(isolation: Isolation | undefined): { isolation?: Isolation } {
  return isolation === undefined || isolation.kind === 'none' ? {} : { isolation };
}
