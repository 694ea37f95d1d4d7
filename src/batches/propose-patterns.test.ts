import { describe, expect, it } from 'vitest';
import type { BatchDefinition } from './batch-definition.js';
import { createPreviewFixture } from './preview-fixture.js';
import { adoptProposals, proposePatterns } from './propose-patterns.js';
import { resolveBatch } from './resolve-batch.js';

const { db, project } = createPreviewFixture();

const BATCH: BatchDefinition = {
  name: 'Mask',
  level: 'study',
  jobs: [
    {
      name: 'bet',
      library: 'test/bet',
      args: [
        { type: 'FILE', name: 'f1', patterns: ['t1_mprage_sag/s001.nii'], ref: { kind: 'current' } },
        { type: 'FILE', name: 'f2', patterns: ['dwi/*.nii'], ref: { kind: 'current' }, optional: true },
      ],
    },
  ],
};

describe('proposePatterns', () => {
  it('proposes the generalised pattern that finds the input in the most items, and adopting it resolves them', () => {
    const items = { selector: ['P001', 'P002'] };
    const before = resolveBatch(db, project, BATCH, items);
    expect(before.summary.ready).toBe(2);
    const proposals = proposePatterns(db, project, BATCH, before);
    // Only f1: the optional dwi input is found where it exists, and no generalisation adds a study.
    expect(proposals).toEqual([
      {
        jobIndex: 0,
        job: 'bet',
        argument: 'f1',
        from: ['t1_mprage_sag/s001.nii'],
        pattern: 't1_mprage*/s0__.nii',
        missingNow: 2,
        missingAfter: 0,
      },
    ]);
    const adopted = adoptProposals(BATCH, proposals);
    const after = resolveBatch(db, project, adopted, items);
    expect(after.summary.ready).toBe(4);
    expect(after.summary.notRunnable).toBe(0);
    expect(proposePatterns(db, project, adopted, after)).toEqual([]);
  });
});
