import { describe, expect, it } from 'vitest';
import { recording } from '../db/test-fixture.js';
import { createLargeFixture } from './large-fixture.js';
import { parseFilter } from './parse-filter.js';
import { parseSelector } from './parse-selector.js';
import { runFilter } from './run-filter.js';
import { runSelector } from './run-selector.js';

interface PlanRow {
  readonly id: number;
  readonly parent: number;
  readonly detail: string;
}

// 5,000 studies and 250,000 files, the size the selection engine is specified for.
const { db, project } = createLargeFixture();

// Timings live in bench/select-bench.ts (docs/benchmarks.md); these tests pin the results and the
// query shapes that make the timings possible at this scale.
describe('selection over 5,000 studies and 250,000 files', () => {
  it.each([
    ['one file per study', 'file:t1_mprage_0/s000.nii', 5_000],
    ['a study tag filter', 'stag:qc_ok file:t1_mprage_0/s000.nii', 1_667],
    ['a file tag', 'tag:best', 5_000],
    ['LATEST, subject tag, sort and nth', '*#LATEST ptag:control file:t1_*/s00*.nii sort:-size nth:1', 500],
  ])('resolves %s', (_name, selector, studies) => {
    expect(runSelector(db, project, parseSelector(selector)).studies).toHaveLength(studies);
  });

  it.each([
    ['a file pattern', 't1_mprage_0/s000.nii', 5_000],
    ['tags and negation', 'FTAG:best & !STAG:qc_ok & PTAG:control', 1_667],
  ])('filters by %s', (_name, filter, studies) => {
    expect(runFilter(db, project, parseFilter(filter))).toHaveLength(studies);
  });

  it('uses one statement per selector or filter and no per-row subqueries', () => {
    const spy = recording(db);
    runSelector(
      spy.db,
      project,
      parseSelector('*#LATEST-1 stag:qc_ok notptag:x file:t1*/*.nii tag:best nottag:x nth:1'),
    );
    runFilter(spy.db, project, parseFilter('t1_mprage_0/s000 FTAG:best & S00* !STAG:qc & PTAG:control'));
    expect(spy.statements).toHaveLength(2);
    for (const { text, params } of spy.statements) {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as PlanRow[];
      const details = new Map(plan.map((row) => [row.id, row.detail]));
      expect(plan.filter((row) => row.detail.includes('CORRELATED'))).toEqual([]);
      // A full scan of files is fine once (an uncorrelated list, or the statement's main loop), never
      // nested inside a loop over studies.
      const scans = plan.filter((row) => /^SCAN f\b/.test(row.detail));
      for (const scan of scans) {
        expect(scan.parent === 0 || /^LIST SUBQUERY/.test(details.get(scan.parent) ?? '')).toBe(true);
      }
    }
  });
});
