import { describe, expect, it } from 'vitest';
import { createSelectionFixture } from '../../selection/test-fixture.js';
import { gridCounts, gridRows, gridTotal, taskStateCounts, type GridQuery } from './grid-query.js';

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
