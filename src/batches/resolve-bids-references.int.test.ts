import { describe, expect, it } from 'vitest';
import { createBidsFixture } from '../catalog/layout/bids-fixture.js';
import type { BatchDefinition } from './batch-definition.js';
import { item } from './preview-fixture.js';
import { resolveBatch } from './resolve-batch.js';

const LONGITUDINAL: BatchDefinition = {
  name: 'long',
  level: 'subject',
  jobs: [
    {
      name: 'j',
      library: 'test/j',
      args: [
        { type: 'FILE', name: 'f1', patterns: ['*_sessions.tsv'], ref: { kind: 'subject' } },
        { type: 'FILE', name: 'f2', patterns: ['anat/*_T1w.nii.gz'], ref: { kind: 'latest' } },
        { type: 'OUT', name: 'o1', path: 'summary.tsv', ref: { kind: 'subject' } },
      ],
    },
  ],
};

describe('BIDS references in jobs', () => {
  it("reads a subject's own files with the subject reference, and LATEST by acq_time", async () => {
    const { catalog, project, root } = await createBidsFixture();
    const resolution = resolveBatch(catalog.db, project, LONGITUDINAL);
    // The subject-level container is no item of its own.
    expect(resolution.items.map((i) => i.item)).toEqual(['01', '02', '03', 'emptyroom']);
    const one = item(resolution.items, '01');
    expect(one.jobs[0]?.args).toEqual([
      expect.objectContaining({ name: 'f1', ok: true, paths: [`${root}/sub-01/sub-01_sessions.tsv`] }),
      // retest was acquired after test (sessions.tsv), though 'retest' < 'test' as text.
      expect.objectContaining({
        name: 'f2',
        ok: true,
        paths: [`${root}/sub-01/ses-retest/anat/sub-01_ses-retest_T1w.nii.gz`],
      }),
      expect.objectContaining({
        name: 'o1',
        ok: true,
        path: `${root}/derivatives/cohort/sub-01/summary.tsv`,
      }),
    ]);
    // sub-02 has no sessions, so no files beside them: said so.
    expect(item(resolution.items, '02').problems[0]).toMatch(
      /02 has no files of its own beside its sessions/,
    );
    catalog.close();
  });
});
