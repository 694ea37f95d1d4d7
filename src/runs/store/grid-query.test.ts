import { describe, expect, it } from 'vitest';
import { createSelectionFixture } from '../../selection/test-fixture.js';
import {
  gridCounts,
  gridPage,
  gridRows,
  gridTotal,
  SPARSE_SEARCH,
  taskStateCounts,
  type GridQuery,
} from './grid-query.js';

const STATES = ['queued', 'running', 'error', 'done'] as const;

/** A run of 50 tasks over one item name each, states in turn (a quarter done). */
function fixtureWithTasks() {
  const fixture = createSelectionFixture();
  const db = fixture.db;
  const runId = Number(
    db
      .prepare(
        `INSERT INTO runs (project_id, batch_name, definition, level, selection, run_mode, executor, owner, created_at)
         VALUES (?, 'b', '{}', 'study', '*', 'chained', 'slurm', 'me', 0)`,
      )
      .run(fixture.project.id).lastInsertRowid,
  );
  const insert = db.prepare(
    `INSERT INTO tasks (run_id, project_id, item, job_index, job_name, state, unit, executor, resolved, log_dir, updated_at)
     VALUES (?, ?, ?, 0, 'j', ?, ?, 'slurm', '{}', '/tmp', 0)`,
  );
  for (let i = 0; i < 50; i++) {
    const item = `S${String(i).padStart(3, '0')}#1`;
    insert.run(runId, fixture.project.id, item, STATES[i % 4], item);
  }
  return { db, projectId: fixture.project.id };
}

describe('gridRows paging', () => {
  const { db, projectId } = fixtureWithTasks();

  it('gives one page in the asked order and the total of all pages', () => {
    const query = { projectId, sort: 'item' as const, descending: true };
    const all = gridRows(db, query).map((t) => t.item);
    expect(all).toHaveLength(38); // done tasks hidden by default
    const page = gridRows(db, { ...query, limit: 10, offset: 10 }).map((t) => t.item);
    expect(page).toEqual(all.slice(10, 20));
    expect(gridTotal(db, { ...query, limit: 10, offset: 10 })).toBe(38);
  });

  it('applies the filters to the total as to the rows, and a page past the end is empty', () => {
    const query = { projectId, states: ['error' as const], search: 'S01' };
    const rows = gridRows(db, query).map((t) => t.item);
    expect(rows).toEqual(['S010#1', 'S014#1', 'S018#1']);
    expect(gridTotal(db, query)).toBe(3);
    expect(gridRows(db, { ...query, limit: 2, offset: 2 }).map((t) => t.item)).toEqual(['S018#1']);
    expect(gridRows(db, { ...query, limit: 2, offset: 4 })).toEqual([]);
    expect(gridTotal(db, { projectId, includeDone: true })).toBe(50);
  });

  it('sums the total from the state counts exactly as it counts it, where only states filter', () => {
    const byState = taskStateCounts(db, projectId);
    const queries: GridQuery[] = [
      { projectId },
      { projectId, includeDone: true },
      { projectId, states: ['error', 'done'] },
      { projectId, states: ['suspended'] },
      { projectId, states: ['queued'], search: 'S01' },
      { projectId, subject: 'S010' },
      { projectId, runId: 1 },
      { projectId, search: '' },
    ];
    for (const query of queries) expect(gridTotal(db, query, byState)).toBe(gridTotal(db, query));
    expect(gridCounts(db, projectId, byState)).toEqual(gridCounts(db, projectId));
  });

  it('walks a page in id order from tasks_grid, without sorting', () => {
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT t.*, p.name AS project FROM tasks t JOIN projects p ON p.id = t.project_id
         WHERE t.project_id = ? AND t.state <> 'done' ORDER BY t.id ASC, t.id LIMIT ? OFFSET ?`,
      )
      .all(projectId, 100, 0) as Array<{ detail: string }>;
    const text = plan.map((r) => r.detail).join('\n');
    expect(text).toContain('tasks_grid');
    expect(text).not.toContain('TEMP B-TREE');
  });
});

/** `count` tasks, two jobs an item, items repeated across two runs, hosts and errors on some. */
function fixtureForIndex(count: number) {
  const fixture = createSelectionFixture();
  const db = fixture.db;
  const runs = [0, 1].map((r) =>
    Number(
      db
        .prepare(
          `INSERT INTO runs (project_id, batch_name, definition, level, selection, run_mode, executor, owner, created_at)
           VALUES (?, 'b', '{}', 'subject', '*', 'chained', 'slurm', 'me', ?)`,
        )
        .run(fixture.project.id, r).lastInsertRowid,
    ),
  );
  const insert = db.prepare(
    `INSERT INTO tasks (run_id, project_id, item, job_index, job_name, state, unit, executor, resolved, log_dir,
       updated_at, host, error)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'slurm', '{}', '/tmp', 0, ?, ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      // Items out of id order (7919 is prime to count / 4), each in both runs and both jobs: ties of
      // item and job are broken by id.
      const item = `P${String(((i >> 2) * 7919) % (count / 4)).padStart(5, '0')}`;
      const job = (i >> 1) % 2;
      insert.run(
        runs[i % 2],
        fixture.project.id,
        item,
        job,
        job === 0 ? 'Brain mask' : 'Smooth',
        STATES[i % 4],
        `${item}/${job}/${i}`,
        i % 5 === 0 ? `node${i % 3}` : null,
        i % 11 === 0 ? `exit 1 at P${i}` : null,
      );
    }
  })();
  return { db, projectId: fixture.project.id };
}

/** The same query through a plain scan of the table, sorted in JavaScript: what the indexes must give. */
function reference(db: ReturnType<typeof fixtureForIndex>['db'], query: GridQuery) {
  const all = db.prepare('SELECT * FROM tasks WHERE project_id = ?').all(query.projectId) as Array<{
    id: number;
    item: string;
    job_index: number;
    job_name: string;
    state: string;
    host: string | null;
    error: string | null;
  }>;
  const search = query.search ?? '';
  const wanted = all.filter(
    (t) =>
      (query.states === undefined
        ? query.includeDone === true || t.state !== 'done'
        : query.states.includes(t.state as never)) &&
      (search === '' || [t.item, t.job_name, t.host ?? '', t.error ?? ''].some((v) => v.includes(search))),
  );
  const sign = query.descending === true ? -1 : 1;
  const byItem = (a: (typeof all)[number], b: (typeof all)[number]): number =>
    sign * (a.item < b.item ? -1 : a.item > b.item ? 1 : a.job_index - b.job_index || a.id - b.id);
  return wanted.sort(query.sort === 'item' ? byItem : (a, b) => sign * (a.id - b.id)).map((t) => t.id);
}

describe('grid pages through tasks_grid_item (issue 21)', () => {
  const { db, projectId } = fixtureForIndex(4000);

  it('pages by item in both directions exactly as a full sort does, each way consistent', () => {
    for (const descending of [false, true])
      for (const states of [undefined, ['queued' as const], ['error' as const, 'running' as const]]) {
        const query: GridQuery = {
          projectId,
          sort: 'item',
          descending,
          ...(states === undefined ? {} : { states }),
        };
        const expected = reference(db, query);
        expect(gridRows(db, query).map((t) => t.id)).toEqual(expected);
        for (const offset of [0, 100, expected.length - 50])
          expect(gridRows(db, { ...query, limit: 100, offset }).map((t) => t.id)).toEqual(
            expected.slice(offset, offset + 100),
          );
      }
  });

  it('walks tasks_grid_item for an item-sorted page, with no sort of all tasks', () => {
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT t.*, p.name AS project FROM tasks t INDEXED BY tasks_grid_item
         JOIN projects p ON p.id = t.project_id WHERE t.project_id = ? AND t.state IN ('queued')
         ORDER BY t.item DESC, t.job_index DESC, t.id DESC LIMIT 100 OFFSET 0`,
      )
      .all(projectId) as Array<{ detail: string }>;
    const text = plan.map((r) => r.detail).join('\n');
    expect(text).toContain('tasks_grid_item');
    expect(text).not.toContain('TEMP B-TREE');
  });

  it('finds a searched page and its total the same whether matches are few or many', () => {
    const searches = ['P0012', 'node1', 'exit 1 at P1', 'Smooth', 'no such text', 'P'];
    const byState = taskStateCounts(db, projectId);
    for (const search of searches)
      for (const sort of ['id' as const, 'item' as const]) {
        const query: GridQuery = {
          projectId,
          search,
          sort,
          descending: sort === 'item',
          limit: 50,
          offset: 10,
        };
        const expected = reference(db, query);
        const { rows, total } = gridPage(db, query, byState);
        expect(total).toBe(expected.length);
        expect(rows.map((t) => t.id)).toEqual(expected.slice(10, 60));
      }
    // Both ways of finding a page are taken above.
    const totals = searches.map((search) => gridTotal(db, { projectId, search }));
    expect(totals.some((n) => n > 0 && n <= SPARSE_SEARCH)).toBe(true);
    expect(totals.some((n) => n > SPARSE_SEARCH)).toBe(true);
  });

  it('counts a search over the covering index, reading no task row', () => {
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT count(*) FROM tasks t INDEXED BY tasks_grid_item
         WHERE t.project_id = ? AND t.state <> 'done' AND instr(t.item, ?) > 0`,
      )
      .all(projectId, 'P') as Array<{ detail: string }>;
    expect(plan.map((r) => r.detail).join('\n')).toContain('COVERING INDEX tasks_grid_item');
  });
});
