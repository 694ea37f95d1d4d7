import type { Db } from '../db/open-database.js';
import type { Project } from '../catalog/project-store.js';
import { CohortError, invalidInput, notFound } from '../errors/cohort-error.js';
import { EXECUTOR_KINDS, type ExecutorKind } from '../executors/executor-kinds.js';
import { isolationSchema, type Isolation } from '../jobs/isolation.js';
import type { Resources } from '../jobs/job-definition.js';
import { DEFAULT_PYTHON } from '../jobs/python-command.js';

/**
 * A named place to run jobs: an engine, its partition (Slurm) or queue (SGE), default resources and
 * extra scheduler words. Example: `{ name: 'gpu', engine: 'slurm', target: 'gpu', defaults: { gpus: 1 },
 * schedulerArgs: ['--gres=gpu:1'] }`.
 */
export interface Queue {
  readonly name: string;
  readonly engine: ExecutorKind;
  /** Slurm partition or SGE queue; undefined: the scheduler's default. */
  readonly target?: string;
  readonly defaults: Omit<Resources, 'queue'>;
  readonly schedulerArgs: readonly string[];
  /**
   * The interpreter its Python jobs run with: an absolute path, or a bare name looked up on PATH after
   * the job's environment line (`python3` for a module-loaded one). Default {@link DEFAULT_PYTHON}.
   */
  readonly python?: string;
  /** Sandbox or container for its jobs that name none of their own (isolation.ts). */
  readonly isolation?: Isolation;
  /** Visible to every project (not stored with one). */
  readonly global: boolean;
}

/** The interpreter a queue's Python jobs run with. */
export function pythonOf(queue: Queue): string {
  return queue.python ?? DEFAULT_PYTHON;
}

/** The queue that always exists: this machine, through the local executor. */
export const LOCAL_QUEUE: Queue = Object.freeze({
  name: 'local',
  engine: 'local',
  defaults: {},
  schedulerArgs: [],
  global: true,
});

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

interface QueueRow {
  name: string;
  engine: ExecutorKind;
  target: string | null;
  cpus: number | null;
  memory_mb: number | null;
  time_minutes: number | null;
  gpus: number | null;
  scheduler_args: string;
  python: string | null;
  isolation: string | null;
  project_id: number | null;
}

/** Adds or replaces a queue of the project (or, with `global`, of every project). */
export function saveQueue(db: Db, project: Project, queue: Omit<Queue, 'global'>, global = false): Queue {
  if (!NAME.test(queue.name)) {
    throw invalidInput(
      `Invalid queue name '${queue.name}'.`,
      'Use 1-64 letters, digits, dot, dash or underscore, starting with a letter or digit.',
    );
  }
  if (queue.name === LOCAL_QUEUE.name) {
    throw invalidInput(`The queue 'local' is built in.`, 'Choose another name for your queue.');
  }
  if (queue.python !== undefined && (queue.python.trim() === '' || /[\s\0]/.test(queue.python))) {
    throw invalidInput(
      `Invalid Python interpreter '${queue.python}'.`,
      'Give an absolute path such as /opt/venv/bin/python3, or a program name such as python3.',
    );
  }
  if (!EXECUTOR_KINDS.includes(queue.engine)) {
    throw invalidInput(
      `Unknown engine '${String(queue.engine)}'.`,
      `Use one of: ${EXECUTOR_KINDS.join(', ')}.`,
    );
  }
  const projectId = global ? null : project.id;
  const d = queue.defaults;
  db.transaction(() => {
    db.prepare('DELETE FROM queues WHERE coalesce(project_id, 0) = ? AND name = ?').run(
      projectId ?? 0,
      queue.name,
    );
    db.prepare(
      `INSERT INTO queues (project_id, name, engine, target, cpus, memory_mb, time_minutes, gpus, scheduler_args, python, isolation, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      projectId,
      queue.name,
      queue.engine,
      queue.target ?? null,
      d.cpus ?? null,
      d.memoryMB ?? null,
      d.timeMinutes ?? null,
      d.gpus ?? null,
      JSON.stringify(queue.schedulerArgs),
      queue.python ?? null,
      queue.isolation === undefined ? null : JSON.stringify(isolationSchema.parse(queue.isolation)),
      Date.now(),
    );
  })();
  return findQueue(db, project, queue.name);
}

/** The queues a project sees: its own, then global ones it does not shadow, then `local`. */
export function listQueues(db: Db, project: Project): Queue[] {
  const rows = db
    .prepare(
      'SELECT * FROM queues WHERE project_id = ? OR project_id IS NULL ORDER BY project_id IS NULL, name',
    )
    .all(project.id) as QueueRow[];
  const byName = new Map<string, Queue>();
  for (const row of rows) if (!byName.has(row.name)) byName.set(row.name, toQueue(row));
  return [...byName.values(), LOCAL_QUEUE];
}

export function findQueue(db: Db, project: Project, name: string): Queue {
  const queue = listQueues(db, project).find((q) => q.name === name);
  if (queue === undefined) {
    throw notFound(
      `No queue named '${name}' in project '${project.name}'.`,
      'List queues with `cohort queue list`, or add one with `cohort queue add`.',
      { queue: name },
    );
  }
  return queue;
}

/** Removes a queue of the project (or a global one); the project's default falls back to `local`. */
export function removeQueue(db: Db, project: Project, name: string, global = false): void {
  const removed = db
    .prepare('DELETE FROM queues WHERE coalesce(project_id, 0) = ? AND name = ?')
    .run(global ? 0 : project.id, name).changes;
  if (removed === 0) {
    throw notFound(
      `No ${global ? 'global ' : ''}queue named '${name}'.`,
      'List queues with `cohort queue list`.',
    );
  }
  db.prepare('UPDATE projects SET default_queue = NULL WHERE default_queue = ?').run(name);
}

/** Sets the project's default queue (jobs without a queue of their own run there). */
export function setDefaultQueue(db: Db, project: Project, name: string): void {
  findQueue(db, project, name);
  db.prepare('UPDATE projects SET default_queue = ? WHERE id = ?').run(
    name === 'local' ? null : name,
    project.id,
  );
}

export function defaultQueueName(db: Db, project: Project): string {
  const name = db.prepare('SELECT default_queue FROM projects WHERE id = ?').pluck().get(project.id) as
    string | null | undefined;
  return name ?? LOCAL_QUEUE.name;
}

/** A queue name that no longer resolves when a run is created: the run must not start half-configured. */
export function assertQueue(db: Db, project: Project, name: string, job: string): Queue {
  try {
    return findQueue(db, project, name);
  } catch (error) {
    if (error instanceof CohortError && error.code === 'NOT_FOUND') {
      throw invalidInput(
        `Job '${job}' asks for queue '${name}', which project '${project.name}' does not have.`,
        "Fix the job's options.resources.queue, or add the queue with `cohort queue add`.",
        { job, queue: name },
      );
    }
    throw error;
  }
}

function toQueue(row: QueueRow): Queue {
  return {
    name: row.name,
    engine: row.engine,
    ...(row.target === null ? {} : { target: row.target }),
    defaults: {
      ...(row.cpus === null ? {} : { cpus: row.cpus }),
      ...(row.memory_mb === null ? {} : { memoryMB: row.memory_mb }),
      ...(row.time_minutes === null ? {} : { timeMinutes: row.time_minutes }),
      ...(row.gpus === null ? {} : { gpus: row.gpus }),
    },
    schedulerArgs: JSON.parse(row.scheduler_args) as string[],
    ...(row.python === null ? {} : { python: row.python }),
    ...(row.isolation === null ? {} : { isolation: isolationSchema.parse(JSON.parse(row.isolation)) }),
    global: row.project_id === null,
  };
}
