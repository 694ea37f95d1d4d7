import type { Db } from '../../db/open-database.js';
import { statement } from '../../db/statement-cache.js';
import type { ExecutorKind } from '../../executors/executor-kinds.js';
import type { BatchDefinition } from '../../batches/batch-definition.js';
import { notFound } from '../../errors/cohort-error.js';
import { RUN_MODES, type RunMode } from '../run-modes.js';

/** The `runs` table: the one module that reads and writes it. */

/** A new run: a batch over a selection, in a run mode, for an owner. */
export interface NewRun {
  readonly projectId: number;
  readonly batch: BatchDefinition;
  readonly selection: string;
  readonly mode: RunMode;
  /** The engine of the first job (the grid shows it; each task keeps its own). */
  readonly executor: ExecutorKind;
  readonly owner: string;
  /** Set when its tasks are created in chunks: how many there will be (see `endCreation`). */
  readonly plannedTasks?: number;
}

/** Inserts a run; returns its id. */
export function insertRun(db: Db, run: NewRun): number {
  return Number(
    statement(
      db,
      `INSERT INTO runs (project_id, batch_name, definition, level, selection, run_mode, executor, owner, created_at, planned_tasks)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      run.projectId,
      run.batch.name,
      JSON.stringify(run.batch),
      run.batch.level,
      run.selection,
      run.mode,
      run.executor,
      run.owner,
      Date.now(),
      run.plannedTasks ?? null,
    ).lastInsertRowid,
  );
}

/** A run's mode. */
export function runMode(db: Db, runId: number): RunMode {
  const mode = statement(db, 'SELECT run_mode FROM runs WHERE id = ?').pluck().get(runId) as
    string | undefined;
  return (RUN_MODES as readonly string[]).includes(mode ?? '') ? (mode as RunMode) : 'chained';
}

/**
 * The batch a run of the project ran (as stored, unvalidated: the caller validates it).
 *
 * @throws CohortError NOT_FOUND when the run is not one of the project's.
 */
export function runDefinition(db: Db, project: { id: number; name: string }, runId: number): unknown {
  const text = statement(db, 'SELECT definition FROM runs WHERE id = ? AND project_id = ?')
    .pluck()
    .get(runId, project.id) as string | undefined;
  if (text === undefined) {
    throw notFound(`No run ${runId} in project '${project.name}'.`, 'List runs with `cohort grid --all`.');
  }
  return JSON.parse(text) as unknown;
}

/** The name of the batch a run ran, or undefined for an unknown run. */
export function runBatchName(db: Db, runId: number): string | undefined {
  return statement(db, 'SELECT batch_name FROM runs WHERE id = ?').pluck().get(runId) as string | undefined;
}

/** Who started each of the given runs (user names), by run id. */
export function runOwners(db: Db, runIds: readonly number[]): Map<number, string> {
  const rows = statement(db, 'SELECT id, owner FROM runs WHERE id IN (SELECT value FROM json_each(?))').all(
    JSON.stringify([...new Set(runIds)]),
  ) as Array<{ id: number; owner: string }>;
  return new Map(rows.map((r) => [r.id, r.owner]));
}

/** The name of the project a run belongs to, or undefined for an unknown run. */
export function runProjectName(db: Db, runId: number): string | undefined {
  return statement(db, 'SELECT p.name FROM runs r JOIN projects p ON p.id = r.project_id WHERE r.id = ?')
    .pluck()
    .get(runId) as string | undefined;
}

/** Marks a run's tasks all created (its last chunk), or a partial run as told (`cohort resume`). */
export function endCreation(db: Db, runId: number): void {
  statement(db, 'UPDATE runs SET planned_tasks = NULL WHERE id = ?').run(runId);
}

/** A run whose creation in chunks has not ended: the tasks it has and those it was to have. */
export interface UnfinishedRun {
  readonly runId: number;
  readonly created: number;
  readonly planned: number;
}

/** The project's runs whose tasks are still being created, or whose runner died before all were. */
export function unfinishedRuns(db: Db, projectId: number): UnfinishedRun[] {
  return statement(
    db,
    `SELECT id AS runId, (SELECT count(*) FROM tasks WHERE run_id = runs.id) AS created, planned_tasks AS planned
     FROM runs WHERE project_id = ? AND planned_tasks IS NOT NULL ORDER BY id`,
  ).all(projectId) as UnfinishedRun[];
}
