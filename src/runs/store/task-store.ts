import type { Db } from '../../db/open-database.js';
import { statement } from '../../db/statement-cache.js';
import type { ExecutorKind } from '../../executors/executor-kinds.js';
import { parseProvenance, type TaskProvenance } from '../provenance.js';
import { ACTIVE_STATES, FAILED_STATES, sqlStateList, type TaskState } from '../task-states.js';

/**
 * The `tasks` table's existing rows: reads and updates (new rows and their provenances are in
 * new-tasks.ts, the grid's listings in grid-query.ts, the `runs` table in run-store.ts). Rows come back
 * without their provenance, which is large and read only where needed (`getTask`, `provenanceOf`),
 * validated once on the way out.
 */

const ACTIVE_SQL = sqlStateList(ACTIVE_STATES);

/** A task row as the engine and the grid read it (without its provenance). */
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
  readonly executor: ExecutorKind;
  readonly executor_id: string | null;
  readonly log_dir: string;
  readonly exit_code: number | null;
  readonly error: string | null;
  readonly host: string | null;
  readonly queued_at: number | null;
  readonly started_at: number | null;
  readonly ended_at: number | null;
  readonly updated_at: number;
}

/** A task with its provenance (the job, resolved arguments, command). */
export interface Task extends TaskRow {
  readonly provenance: TaskProvenance;
}

/** Every column but the provenance (`resolved`), for statements that list tasks. */
export const TASK_COLUMNS =
  'id, run_id, project_id, item, subject_id, study_id, job_index, job_name, state, unit, executor, executor_id, log_dir, exit_code, error, host, queued_at, started_at, ended_at, updated_at';

/** The columns the engine's poll needs. */
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

/** Writes a task's update; `now` becomes its `updated_at`. */
export function updateTask(db: Db, id: number, update: TaskUpdate, now: number = Date.now()): void {
  const keys = UPDATABLE.filter((k) => update[k] !== undefined);
  if (keys.length === 0) return;
  // The statement's text by the columns it sets, made once: a run's 200,000 queued updates share one.
  const columns = keys.join(',');
  let sql = UPDATE_SQL.get(columns);
  if (sql === undefined) {
    sql = `UPDATE tasks SET ${keys.map((k) => `${k} = ?`).join(', ')}, updated_at = ? WHERE id = ?`;
    UPDATE_SQL.set(columns, sql);
  }
  statement(db, sql).run(...keys.map((k) => update[k]), now, id);
}

const UPDATE_SQL = new Map<string, string>();

/**
 * The row `updateTask(db, row.id, update, now)` leaves behind, without reading it back: the engine
 * tells its listeners of each change, and a SELECT per change was a third of its statements.
 */
export function updatedRow(row: TaskRow, update: TaskUpdate, now: number): TaskRow {
  const keys = UPDATABLE.filter((k) => update[k] !== undefined);
  if (keys.length === 0) return row;
  return { ...row, ...Object.fromEntries(keys.map((k) => [k, update[k]])), updated_at: now };
}

/** A task with its provenance, or undefined when there is no such task. */
export function getTask(db: Db, id: number): Task | undefined {
  const row = statement(db, `SELECT ${TASK_COLUMNS}, resolved FROM tasks WHERE id = ?`).get(id) as
    (TaskRow & { resolved: string }) | undefined;
  if (row === undefined) return undefined;
  const { resolved, ...task } = row;
  return { ...task, provenance: parseProvenance(id, resolved) };
}

/** A task's row without its provenance. */
export function getTaskRow(db: Db, id: number): TaskRow | undefined {
  return statement(db, `SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ?`).get(id) as TaskRow | undefined;
}

export function tasksOfRun(db: Db, runId: number): TaskRow[] {
  return statement(db, `SELECT ${TASK_COLUMNS} FROM tasks WHERE run_id = ? ORDER BY id`).all(
    runId,
  ) as TaskRow[];
}

/** How many tasks of a run have not ended. */
export function activeCountOfRun(db: Db, runId: number): number {
  const sql = `SELECT count(*) FROM tasks WHERE run_id = ? AND state IN (${ACTIVE_SQL})`;
  return statement(db, sql).pluck().get(runId) as number;
}

/** Whether a run has a task that has not ended: one seek of the (run_id, state) index, no count. */
export function hasActiveTasks(db: Db, runId: number): boolean {
  const sql = `SELECT EXISTS (SELECT 1 FROM tasks WHERE run_id = ? AND state IN (${ACTIVE_SQL}))`;
  return statement(db, sql).pluck().get(runId) === 1;
}

/** Active tasks, of one project or of all. */
export function activeTasks(db: Db, projectId?: number): TaskRow[] {
  const where = `state IN (${ACTIVE_SQL})${projectId === undefined ? '' : ' AND project_id = ?'}`;
  const stmt = statement(db, `SELECT ${TASK_COLUMNS} FROM tasks WHERE ${where} ORDER BY id`);
  return (projectId === undefined ? stmt.all() : stmt.all(projectId)) as TaskRow[];
}

/** Runs with a task that has not ended, of one project or of all. */
export function activeRunIds(db: Db, projectId?: number): number[] {
  const where = `state IN (${ACTIVE_SQL})${projectId === undefined ? '' : ' AND project_id = ?'}`;
  const stmt = statement(db, `SELECT DISTINCT run_id FROM tasks WHERE ${where} ORDER BY run_id`).pluck();
  return (projectId === undefined ? stmt.all() : stmt.all(projectId)) as number[];
}

/**
 * The active tasks of the given runs (rows without provenance): the poll reads them several times a
 * second, and hands the changed ones to listeners without reading them again.
 */
export function activeTaskHeads(db: Db, runIds: readonly number[]): TaskRow[] {
  return statement(
    db,
    `SELECT ${TASK_COLUMNS} FROM tasks WHERE state IN (${ACTIVE_SQL}) AND run_id IN (SELECT value FROM json_each(?)) ORDER BY id`,
  ).all(JSON.stringify(runIds)) as TaskRow[];
}

/** Those of the given tasks that are still active (rows without provenance). */
export function activeTaskHeadsById(db: Db, ids: readonly number[]): TaskRow[] {
  return statement(
    db,
    `SELECT ${TASK_COLUMNS} FROM tasks WHERE id IN (SELECT value FROM json_each(?)) AND state IN (${ACTIVE_SQL}) ORDER BY id`,
  ).all(JSON.stringify(ids)) as TaskRow[];
}

/** Pending tasks (not yet handed to an executor) of the given runs. */
export function pendingTasksOfRuns(db: Db, runIds: readonly number[]): TaskRow[] {
  return statement(
    db,
    `SELECT ${TASK_COLUMNS} FROM tasks WHERE state = 'pending' AND run_id IN (SELECT value FROM json_each(?)) ORDER BY id`,
  ).all(JSON.stringify(runIds)) as TaskRow[];
}

/** The task of the same item and run whose job comes right before this one's. */
export function previousTaskOfItem(
  db: Db,
  task: Pick<TaskRow, 'run_id' | 'item' | 'job_index'>,
  groupItem: string,
): TaskRow | undefined {
  // A group-level job's task (item `groupItem`) comes before the items' later jobs too.
  return statement(
    db,
    `SELECT ${TASK_COLUMNS} FROM tasks WHERE run_id = ? AND item IN (?, ?) AND job_index < ? ORDER BY job_index DESC LIMIT 1`,
  ).get(task.run_id, task.item, groupItem, task.job_index) as TaskRow | undefined;
}

/**
 * The task of the job before each given task's, for tasks of one run without group-level jobs, keyed
 * `item NUL job_index` of the later task: one statement per job where previousTaskOfItem took one per
 * task (9,000 for a 10,000-task run created job by job in chunks).
 */
export function previousTasksOfItems(
  db: Db,
  runId: number,
  tasks: readonly Pick<TaskRow, 'item' | 'job_index'>[],
): Map<string, TaskRow> {
  const itemsByJob = new Map<number, string[]>();
  for (const t of tasks)
    if (t.job_index > 0) itemsByJob.set(t.job_index, [...(itemsByJob.get(t.job_index) ?? []), t.item]);
  const sql = `SELECT ${TASK_COLUMNS} FROM tasks WHERE run_id = ? AND job_index = ? AND item IN (SELECT value FROM json_each(?))`;
  const previous = new Map<string, TaskRow>();
  for (const [jobIndex, items] of itemsByJob) {
    const rows = statement(db, sql).all(runId, jobIndex - 1, JSON.stringify(items)) as TaskRow[];
    for (const row of rows) previous.set(`${row.item}\u0000${jobIndex}`, row);
  }
  return previous;
}

/** The tasks of one job of a run (one per item, or the one task of a group-level job). */
export function tasksOfJob(db: Db, runId: number, jobIndex: number): TaskRow[] {
  return statement(
    db,
    `SELECT ${TASK_COLUMNS} FROM tasks WHERE run_id = ? AND job_index = ? ORDER BY id`,
  ).all(runId, jobIndex) as TaskRow[];
}

/** Removes a project's ended tasks that failed (and, with `done`, finished ones); returns how many. */
export function clearTasks(db: Db, projectId: number, done: boolean): number {
  const states: readonly TaskState[] = done ? [...FAILED_STATES, 'done'] : FAILED_STATES;
  return statement(db, `DELETE FROM tasks WHERE project_id = ? AND state IN (${sqlStateList(states)})`).run(
    projectId,
  ).changes;
}

/** Which tasks of a run: the failed ones (error, killed, not run), or the given ids. */
export type TaskChoice = { readonly failed: true } | { readonly taskIds: readonly number[] };

/**
 * The study ids and the subject ids (of subject-level tasks) that the chosen tasks of a run ran for:
 * what a rerun resolves again; every item of the run when a chosen task is a group-level one.
 */
export function itemsOfTasks(
  db: Db,
  runId: number,
  which: TaskChoice,
  groupItem?: string,
): { readonly studyIds: number[]; readonly subjectIds: number[] } {
  let chosen =
    'failed' in which
      ? { sql: `run_id = ? AND state IN (${sqlStateList(FAILED_STATES)})`, params: [runId] as unknown[] }
      : {
          sql: 'run_id = ? AND id IN (SELECT value FROM json_each(?))',
          params: [runId, JSON.stringify(which.taskIds)] as unknown[],
        };
  // A group-level task (item `groupItem`) ran over every item of the run: rerunning it needs them all.
  const group =
    groupItem !== undefined &&
    db
      .prepare(`SELECT 1 FROM tasks WHERE item = ? AND ${chosen.sql} LIMIT 1`)
      .get(groupItem, ...chosen.params) !== undefined;
  if (group) chosen = { sql: 'run_id = ?', params: [runId] };
  const studyIds = db
    .prepare(`SELECT DISTINCT study_id FROM tasks WHERE study_id IS NOT NULL AND ${chosen.sql}`)
    .pluck()
    .all(...chosen.params) as number[];
  const subjectIds = db
    .prepare(
      `SELECT DISTINCT subject_id FROM tasks WHERE study_id IS NULL AND subject_id IS NOT NULL AND ${chosen.sql}`,
    )
    .pluck()
    .all(...chosen.params) as number[];
  return { studyIds, subjectIds };
}

/** Tasks changed since `since` (epoch ms), oldest change first: the event stream's look at other processes. */
export function tasksChangedSince(db: Db, since: number): TaskRow[] {
  return statement(db, `SELECT ${TASK_COLUMNS} FROM tasks WHERE updated_at >= ? ORDER BY updated_at, id`).all(
    since,
  ) as TaskRow[];
}

/** What retention needs to know of a task: its project, state and end. */
export interface TaskEnd {
  readonly id: number;
  readonly project_id: number;
  readonly state: TaskState;
  readonly ended_at: number | null;
}

/** The tasks of a run that still exist (`grid clear` deletes rows), by id. */
export function taskEndsOfRun(db: Db, runId: number): Map<number, TaskEnd> {
  const rows = statement(db, 'SELECT id, project_id, state, ended_at FROM tasks WHERE run_id = ?').all(
    runId,
  ) as TaskEnd[];
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Whether a task of the run runs in a sandbox or container (its placement's isolation is not `none`);
 * a task whose record cannot be read counts as one: nothing says it may reach the owner.
 */
export function runHasIsolatedTasks(db: Db, runId: number): boolean {
  return (
    statement(
      db,
      `SELECT 1 FROM tasks WHERE run_id = ?
         AND (NOT json_valid(resolved)
              OR IFNULL(json_extract(resolved, '$.placement.isolation.kind'), 'none') <> 'none') LIMIT 1`,
    ).get(runId) !== undefined
  );
}
