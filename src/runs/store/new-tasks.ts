import type { Db } from '../../db/open-database.js';
import { statement } from '../../db/statement-cache.js';
import type { ExecutorKind } from '../../executors/executor-kinds.js';
import { parseProvenance, type TaskProvenance } from '../provenance.js';
import type { TaskRow } from './task-store.js';

/**
 * New rows of the `tasks` table and their provenances: the writes `createRun` makes (one per task), and
 * the provenance read that takes back what this process has just written without parsing it again.
 * Reads and updates of existing rows are in task-store.ts.
 */

/** A new task of a run, before its folder and provenance exist. */
export interface NewTask {
  readonly runId: number;
  readonly projectId: number;
  readonly item: string;
  readonly subjectId: number | null;
  readonly studyId: number | null;
  readonly jobIndex: number;
  readonly jobName: string;
  readonly unit: string;
  readonly executor: ExecutorKind;
}

/** Inserts a pending task; its folder and provenance follow with `setTaskCommand`. Returns its id. */
export function insertTask(db: Db, task: NewTask): number {
  return Number(
    statement(
      db,
      `INSERT INTO tasks (run_id, project_id, item, subject_id, study_id, job_index, job_name, state, unit, executor, resolved, log_dir, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, '{}', '', ?)`,
    ).run(
      task.runId,
      task.projectId,
      task.item,
      task.subjectId,
      task.studyId,
      task.jobIndex,
      task.jobName,
      task.unit,
      task.executor,
      Date.now(),
    ).lastInsertRowid,
  );
}

/**
 * The id the next task inserted gets, as AUTOINCREMENT would give it (never one a removed task had):
 * call inside the transaction that inserts.
 */
export function nextTaskId(db: Db): number {
  return statement(
    db,
    `SELECT max(ifnull((SELECT seq FROM sqlite_sequence WHERE name = 'tasks'), 0), ifnull((SELECT max(id) FROM tasks), 0)) + 1`,
  )
    .pluck()
    .get() as number;
}

/**
 * Keeps the ids up to `lastId` for tasks inserted later (a run created in chunks): AUTOINCREMENT then
 * gives no other insert one of them. Call inside a transaction that has inserted a task.
 */
export function reserveTaskIds(db: Db, lastId: number): void {
  statement(db, `UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'tasks'`).run(lastId);
}

/**
 * Inserts a pending task with its folder and provenance in one statement, under an id the caller took
 * from `nextTaskId` (its folder and command name it): one write per task where insert-then-update took
 * two. Returns the row as stored, without reading it back. `remember`: keep the provenance for
 * `provenanceOf` in this process (a caller that hands it on itself need not).
 */
export function insertBuiltTask(
  db: Db,
  id: number,
  task: NewTask,
  logDir: string,
  provenance: TaskProvenance,
  remember = true,
): TaskRow {
  const text = JSON.stringify(provenance);
  const now = Date.now();
  statement(
    db,
    `INSERT INTO tasks (id, run_id, project_id, item, subject_id, study_id, job_index, job_name, state, unit, executor, resolved, log_dir, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)`,
  ).run(
    id,
    task.runId,
    task.projectId,
    task.item,
    task.subjectId,
    task.studyId,
    task.jobIndex,
    task.jobName,
    task.unit,
    task.executor,
    text,
    logDir,
    now,
  );
  if (remember) keep(db, id, text, provenance);
  return {
    id,
    run_id: task.runId,
    project_id: task.projectId,
    item: task.item,
    subject_id: task.subjectId,
    study_id: task.studyId,
    job_index: task.jobIndex,
    job_name: task.jobName,
    state: 'pending',
    unit: task.unit,
    executor: task.executor,
    executor_id: null,
    log_dir: logDir,
    exit_code: null,
    error: null,
    host: null,
    queued_at: null,
    started_at: null,
    ended_at: null,
    updated_at: now,
  };
}

/**
 * Provenances this process wrote, by catalog and task id, with the text stored: the engine that submits
 * a run right after `createRun` built it (the CLI, the server) takes them from here instead of parsing
 * and validating again what this code has just made (a tenth of the run's creation). The stored text is
 * compared first: a row changed since by anyone else is parsed as usual.
 */
interface Written {
  readonly text: string;
  readonly provenance: TaskProvenance;
}
const written = new WeakMap<Db, Map<number, Written>>();

/** Enough for the largest runs; a server that creates runs nobody submits here must not grow forever. */
const WRITTEN_MAX = 100_000;

/** Stores a task's folder and provenance (both depend on its id, so they follow the insert). */
export function setTaskCommand(db: Db, id: number, logDir: string, provenance: TaskProvenance): void {
  const text = JSON.stringify(provenance);
  statement(db, 'UPDATE tasks SET resolved = ?, log_dir = ? WHERE id = ?').run(text, logDir, id);
  keep(db, id, text, provenance);
}

function keep(db: Db, id: number, text: string, provenance: TaskProvenance): void {
  let mine = written.get(db);
  if (mine === undefined) written.set(db, (mine = new Map<number, Written>()));
  if (mine.size >= WRITTEN_MAX) mine.clear();
  mine.set(id, { text, provenance });
}

/** A task's provenance, validated. @throws CohortError DAMAGED_RECORD when it does not parse. */
export function provenanceOf(db: Db, id: number): TaskProvenance {
  const text = statement(db, 'SELECT resolved FROM tasks WHERE id = ?').pluck().get(id) as string | undefined;
  const mine = written.get(db);
  const known = mine?.get(id);
  if (known !== undefined) {
    mine?.delete(id); // its reader (the engine) keeps it from here on
    if (known.text === text) return known.provenance;
  }
  return parseProvenance(id, text ?? '');
}
