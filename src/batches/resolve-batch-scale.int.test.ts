import { describe, expect, it } from 'vitest';
import { recording } from '../db/test-fixture.js';
import { createLargeFixture } from '../selection/large-fixture.js';
import { resolvedArguments } from './batch-resolution.js';
import { LONGITUDINAL_BATCH } from './longitudinal-batch.js';
import { resolveBatch } from './resolve-batch.js';

// 1,000 subjects, 5,000 studies, 250,000 files. Timings live in bench/preview-bench.ts; this pins the
// results and that the statement count does not grow with the number of items.
const { db, project } = createLargeFixture();

describe('resolution preview over 1,000 subjects', () => {
  it('resolves the 5-job longitudinal batch for every subject', () => {
    const resolution = resolveBatch(db, project, LONGITUDINAL_BATCH);
    expect(resolution.summary).toMatchObject({ total: 1_000, ready: 1_000, notRunnable: 0 });
    const first = resolution.items[0];
    if (first === undefined) throw new Error('no items');
    expect(first.item).toBe('S00001');
    const root = '/data/large/S00001';
    expect(resolvedArguments(first, 1)).toEqual({
      f1: [`${root}/20200501_4/t1_mprage_0/s000.nii`],
      f2: [`${root}/20200101_0/t1_mprage_0/s000.nii`],
      f3: [`${root}/20200101_0/masks/brain_mask.nii`],
      o1: `${root}/20200501_4/reg/followup_to_baseline.nii`,
      interp: 'trilinear',
    });
    expect(resolvedArguments(first, 2)['f1']).toHaveLength(5);
    expect(resolvedArguments(first, 3)['input1']).toEqual([`${root}/20200201_1/flair_tra_1/s000.nii`]);
  });

  it('runs one statement per distinct pattern set plus studies and tags, none per item', () => {
    const spy = recording(db);
    resolveBatch(spy.db, project, LONGITUDINAL_BATCH);
    // studies, study tags, and the 7 distinct pattern sets of the batch.
    expect(spy.statements).toHaveLength(9);
    for (const { text, params } of spy.statements) {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as Array<{ detail: string }>;
      expect(plan.filter((row) => row.detail.includes('CORRELATED'))).toEqual([]);
      // Files are reached through the (study_id, path) index, never by scanning all 250,000.
      expect(plan.filter((row) => /^SCAN f\b/.test(row.detail))).toEqual([]);
    }
  });
});
