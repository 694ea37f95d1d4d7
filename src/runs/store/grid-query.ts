import type { Db } from '../../db/open-database.js';
import { JOB_FILTER_LETTERS, TASK_STATES, type TaskState } from '../task-states.js';
import type { TaskRow } from './task-store.js';
import { invalidInput } from '../../errors/cohort-error.js';

export const GRID_SORT_KEYS = ['id', 'state', 'item', 'job', 'started', 'updated'] as const;
export type GridSortKey = (typeof GRID_SORT_KEYS)[number];

const SORT_SQL: Record<GridSortKey, string> = {
  id: 't.id',
  state: 't.state',
  item: 't.item',
  job: 't.job_name',
  started: 't.started_at',
  updated: 't.updated_at',
};

export interface GridQuery {
  readonly projectId?: number;
  readonly states?: readonly TaskState[];
  /** Substring searched in item, job name, error text and host. */
  readonly search?: string;
  readonly subject?: string;
  readonly runId?: number;
  readonly sort?: GridSortKey;
  readonly descending?: boolean;
  /** Finished (done) tasks are hidden unless asked for; failed ones always stay for analysis. */
  readonly includeDone?: boolean;
  /** One page: at most `limit` rows from `offset` (default: all rows, as the live grid wants them). */
  readonly limit?: number;
  readonly offset?: number;
}

export interface GridRow extends TaskRow {
  readonly project: string;
}

export interface GridCounts {
  readonly running: number;
  readonly queued: number;
  readonly suspended: number;
  readonly error: number;
  readonly done: number;
}

/** The WHERE clause of a grid query and its parameters. */
function gridWhere(query: GridQuery): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.projectId !== undefined) {
    where.push('t.project_id = ?');
    params.push(query.projectId);
  }
  if (query.states !== undefined && query.states.length > 0) {
    for (const s of query.states)
      if (!TASK_STATES.includes(s))
        throw invalidInput(`Unknown state '${s}'.`, `Use one of: ${TASK_STATES.join(', ')}.`);
    where.push(`t.state IN (${query.states.map(() => '?').join(', ')})`);
    params.push(...query.states);
  } else if (query.includeDone !== true) {
    where.push("t.state <> 'done'");
  }
  if (query.search !== undefined && query.search !== '') {
    where.push(
      "(instr(t.item, ?) > 0 OR instr(t.job_name, ?) > 0 OR instr(coalesce(t.error, ''), ?) > 0 OR instr(coalesce(t.host, ''), ?) > 0)",
    );
    params.push(query.search, query.search, query.search, query.search);
  }
  if (query.subject !== undefined) {
    where.push("(t.item = ? OR t.item LIKE ? ESCAPE '\\')");
    params.push(query.subject, `${query.subject.replace(/[\\%_]/g, (c) => `\\${c}`)}#%`);
  }
  if (query.runId !== undefined) {
    where.push('t.run_id = ?');
    params.push(query.runId);
  }
  return { sql: where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`, params };
}

/**
 * The grid monitor's table: the tasks matching a query (one page of them with `limit`), with the
 * project name. One statement. `among`: the ids of every task the query matches, found already (see
 * {@link gridPage}); the page is sorted from those.
 */
export function gridRows(db: Db, query: GridQuery, among?: readonly number[]): GridRow[] {
  const { sql: where, params } =
    among === undefined
      ? gridWhere(query)
      : { sql: 'WHERE t.id IN (SELECT value FROM json_each(?))', params: [JSON.stringify(among)] };
  const direction = query.descending === true ? 'DESC' : 'ASC';
  const sort = query.sort ?? 'id';
  // By item, tasks_grid_item gives the order itself (item, job, id, all one way): a page reads its
  // 100 rows, where a sort of every task of the project took 160 ms of CPU over a biobank run.
  const byItem = sort === 'item' && query.projectId !== undefined;
  const order = byItem
    ? `t.item ${direction}, t.job_index ${direction}, t.id ${direction}`
    : `${SORT_SQL[sort]} ${direction}, t.id`;
  const index = byItem && among === undefined ? 'INDEXED BY tasks_grid_item' : '';
  const page = query.limit === undefined ? '' : 'LIMIT ? OFFSET ?';
  if (query.limit !== undefined) params.push(query.limit, query.offset ?? 0);
  const sql = `SELECT t.*, p.name AS project FROM tasks t ${index} JOIN projects p ON p.id = t.project_id
    ${where} ORDER BY ${order} ${page}`;
  return db.prepare(sql).all(...params) as GridRow[];
}

/**
 * Up to this many matches of a free-text search, the page is sorted from their ids; more, and walking
 * the tasks in the page's order finds a page of them soon.
 */
export const SPARSE_SEARCH = 2000;

/**
 * One page of the grid and how many tasks match in all. A free-text search tests four text columns
 * of every task: in one scan of tasks_grid_item (no task row read), which gives the ids of all matches
 * when they are few, so the page and its total need no second scan. Over a biobank run's 200,000 tasks
 * and 20 matches: 215 ms of wall before (two reads of every task row), one index scan now.
 */
export function gridPage(
  db: Db,
  query: GridQuery,
  byState?: ReadonlyMap<TaskState, number>,
): { rows: GridRow[]; total: number } {
  if (searchable(query)) {
    const { sql: where, params } = gridWhere(query);
    const matches = db
      .prepare(`SELECT t.id FROM tasks t INDEXED BY tasks_grid_item ${where} LIMIT ${SPARSE_SEARCH + 1}`)
      .pluck()
      .all(...params) as number[];
    if (matches.length <= SPARSE_SEARCH) return { rows: gridRows(db, query, matches), total: matches.length };
  }
  return { rows: gridRows(db, query), total: gridTotal(db, query, byState) };
}

/** A search within one project, its other filters all in tasks_grid_item. */
function searchable(query: GridQuery): boolean {
  return (
    query.search !== undefined &&
    query.search !== '' &&
    query.projectId !== undefined &&
    query.runId === undefined &&
    query.subject === undefined
  );
}

/**
 * How many tasks match a grid query (limit and offset aside): the total of a paged grid. Given the
 * project's tasks counted by state (`byState`, as the counters above the grid need them anyway), a
 * query that filters by state alone is summed from those instead of counting 200,000 tasks again.
 */
export function gridTotal(db: Db, query: GridQuery, byState?: ReadonlyMap<TaskState, number>): number {
  const { sql: where, params } = gridWhere(query);
  const byStateOnly =
    query.projectId !== undefined &&
    (query.search === undefined || query.search === '') &&
    query.subject === undefined &&
    query.runId === undefined;
  if (byState !== undefined && byStateOnly) {
    const wanted =
      query.states !== undefined && query.states.length > 0
        ? new Set(query.states)
        : new Set(TASK_STATES.filter((s) => query.includeDone === true || s !== 'done'));
    let total = 0;
    for (const [state, n] of byState) if (wanted.has(state)) total += n;
    return total;
  }
  const index = searchable(query) ? 'INDEXED BY tasks_grid_item' : '';
  return db
    .prepare(`SELECT count(*) FROM tasks t ${index} ${where}`)
    .pluck()
    .get(...params) as number;
}

/** A project's tasks (or all tasks) counted by state: one pass over the (project_id, state) index. */
export function taskStateCounts(db: Db, projectId?: number): ReadonlyMap<TaskState, number> {
  const rows = db
    .prepare(
      `SELECT state, count(*) AS n FROM tasks ${projectId === undefined ? '' : 'WHERE project_id = ?'} GROUP BY state`,
    )
    .all(...(projectId === undefined ? [] : [projectId])) as Array<{ state: TaskState; n: number }>;
  return new Map(rows.map((r) => [r.state, r.n]));
}

/** The counters above the grid; `byState` when the caller has counted already ({@link taskStateCounts}). */
export function gridCounts(
  db: Db,
  projectId?: number,
  byState: ReadonlyMap<TaskState, number> = taskStateCounts(db, projectId),
): GridCounts {
  const n = (states: readonly TaskState[]): number => states.reduce((a, s) => a + (byState.get(s) ?? 0), 0);
  return {
    running: n(JOB_FILTER_LETTERS.r),
    queued: n(JOB_FILTER_LETTERS.q),
    suspended: n(JOB_FILTER_LETTERS.s),
    error: n(JOB_FILTER_LETTERS.e),
    done: n(['done']),
  };
}
