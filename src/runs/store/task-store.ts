import type { Placement } from '../../queues/place-job.js';
import type { Db } from '../../db/open-database.js';
import { statement } from '../../db/statement-cache.js';
import { ACTIVE_STATES, type TaskState } from '../task-states.js';

const ACTIVE_SQL = ACTIVE_STATES.map((s) => `'${s}'`).join(', ');

/** A task row as the engine and the grid read it. */
export interface TaskRow {
  readonly id: number;
  readonly run_id: number;
  readonly project_id: number;
  readonly item: string;
  readonly subject_id: number | null;
  readonly study_id: number | null;
  readonly job_index: number;
  readonly job_name: string;
  readonly state: TaskState;
  readonly unit: string;
  readonly executor: string;
  readonly executor_id: string | null;
  readonly resolved: string;
  readonly log_dir: string;
  readonly exit_code: number | null;
  readonly error: string | null;
  readonly host: string | null;
  readonly queued_at: number | null;
  readonly started_at: number | null;
  readonly ended_at: number | null;
  readonly updated_at: number;
}

/** What a task row stores in `resolved` (provenance): the job, its resolved arguments and command. */
export interface TaskProvenance {
  readonly job: unknown;
  readonly arguments: Readonly<Record<string, unknown>>;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly onError: 'break' | 'continue' | 'ignore';
  readonly tagOnSuccess?: string;
  readonly outputs: ReadonlyArray<{
    readonly path: string;
    readonly kind: 'OUT' | 'PATHOUT';
    readonly tags: readonly string[];
  }>;
  readonly studyRef?: string;
  /** Queue, engine and resources of the task; absent in runs made before queues existed (local). */
  readonly placement?: Placement;
}

export interface TaskUpdate {
  readonly state?: TaskState;
  readonly executor_id?: string | null;
  readonly exit_code?: number | null;
  readonly error?: string | null;
  readonly host?: string | null;
  readonly queued_at?: number | null;
  readonly started_at?: number | null;
  readonly ended_at?: number | null;
}

const UPDATABLE = [
  'state',
  'executor_id',
  'exit_code',
  'error',
  'host',
  'queued_at',
  'started_at',
  'ended_at',
] as const;

export function updateTask(db: Db, id: number, update: TaskUpdate): void {
  const keys = UPDATABLE.filter((k) => update[k] !== undefined);
  if (keys.length === 0) return;
  const set = keys.map((k) => `${k} = @${k}`).join(', ');
  statement(db, `UPDATE tasks SET ${set}, updated_at = @now WHERE id = @id`).run({
    ...pick(update, keys),
    now: Date.now(),
    id,
  });
}

function pick(update: TaskUpdate, keys: readonly (keyof TaskUpdate)[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, update[k]]));
}

export function tasksOfRun(db: Db, runId: number): TaskRow[] {
  return statement(db, 'SELECT * FROM tasks WHERE run_id = ? ORDER BY id').all(runId) as TaskRow[];
}

/** How many tasks of a run have not ended. */
export function activeCountOfRun(db: Db, runId: number): number {
  const sql = `SELECT count(*) FROM tasks WHERE run_id = ? AND state IN (${ACTIVE_SQL})`;
  return statement(db, sql).pluck().get(runId) as number;
}

export function activeTasks(db: Db, projectId?: number): TaskRow[] {
  const where = `state IN (${ACTIVE_SQL})${projectId === undefined ? '' : ' AND project_id = ?'}`;
  const stmt = statement(db, `SELECT * FROM tasks WHERE ${where} ORDER BY id`);
  return (projectId === undefined ? stmt.all() : stmt.all(projectId)) as TaskRow[];
}

/** The columns the engine's poll needs: everything but the (large) provenance. */
export type TaskHead = Pick<
  TaskRow,
  | 'id'
  | 'run_id'
  | 'project_id'
  | 'study_id'
  | 'state'
  | 'executor'
  | 'executor_id'
  | 'log_dir'
  | 'started_at'
>;

/** Active tasks without their provenance: the poll reads them several times a second. */
export function activeTaskHeads(db: Db): TaskHead[] {
  return statement(
    db,
    `SELECT ${HEAD_COLUMNS} FROM tasks WHERE state IN (${ACTIVE_SQL}) ORDER BY id`,
  ).all() as TaskHead[];
}

const HEAD_COLUMNS = 'id, run_id, project_id, study_id, state, executor, executor_id, log_dir, started_at';

/** The heads of those of the given tasks that are still active. */
export function activeTaskHeadsById(db: Db, ids: readonly number[]): TaskHead[] {
  return statement(
    db,
    `SELECT ${HEAD_COLUMNS} FROM tasks WHERE id IN (SELECT value FROM json_each(?)) AND state IN (${ACTIVE_SQL}) ORDER BY id`,
  ).all(JSON.stringify(ids)) as TaskHead[];
}

export function getTask(db: Db, id: number): TaskRow | undefined {
  return statement(db, 'SELECT * FROM tasks WHERE id = ?').get(id) as TaskRow | undefined;
}
