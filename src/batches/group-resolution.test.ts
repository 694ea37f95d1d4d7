import { describe, expect, it } from 'vitest';
import { isCohortError } from '../errors/cohort-error.js';
import type { BatchDefinition } from './batch-definition.js';
import { resolvedArguments } from './batch-resolution.js';
import { at, createPreviewFixture } from './preview-fixture.js';
import { resolveBatch } from './resolve-batch.js';

// The preview of group-level jobs (lists over the ready items) and of outputs several tasks would write.

const { db, project } = createPreviewFixture();
const GROUP = { kind: 'analysis', name: 'group' } as const;
const T1 = { type: 'FILE', name: 'f1', patterns: ['t1*/s00_.nii'], ref: { kind: 'current' } } as const;

function batch(
  level: 'group' | undefined,
  outRef: BatchDefinition['jobs'][number]['args'][number],
): BatchDefinition {
  return {
    name: 'template',
    level: 'study',
    jobs: [
      { name: 'mean', library: 'test/bet', ...(level === undefined ? {} : { level }), args: [T1, outRef] },
    ],
  };
}

describe('group-level jobs in the preview', () => {
  it('list every ready study`s file in item order, and write once into the analysis folder', () => {
    const r = resolveBatch(
      db,
      project,
      batch('group', { type: 'OUT', name: 'o1', path: 'mean.nii', ref: GROUP }),
    );
    expect(r.collisions).toEqual([]);
    expect(r.group?.items).toEqual(['P001#20190101', 'P001#20200101', 'P001#20210101', 'P002#20200505']);
    const values = resolvedArguments(r.group!, 0);
    expect(values['f1']).toEqual([
      at('P001#20190101', 't1_mprage_sag/s001.nii'),
      at('P001#20200101', 't1_mprage_tra/s003.nii'),
      at('P001#20210101', 't1_mprage_sag/s001.nii'),
      at('P002#20200505', 'T1_MPRAGE_SAG/S004.NII'),
    ]);
    expect(values['o1']).toBe('/data/cohort-fixture/analysis/group/mean.nii');
  });

  it('must write into an analysis folder, not into one of the studies', () => {
    try {
      resolveBatch(
        db,
        project,
        batch('group', { type: 'OUT', name: 'o1', path: 'mean.nii', ref: { kind: 'current' } }),
      );
      expect.unreachable();
    } catch (error) {
      if (!isCohortError(error)) throw error;
      expect(error.message).toMatch(
        /a group-level job writes once for all items — put its output in an analysis folder/,
      );
    }
  });
});

describe('output collisions', () => {
  it('name the output and every ready item that would write it', () => {
    const r = resolveBatch(
      db,
      project,
      batch(undefined, { type: 'OUT', name: 'o1', path: 'mean.nii', ref: GROUP }),
    );
    expect(r.collisions).toEqual([
      {
        path: '/data/cohort-fixture/analysis/group/mean.nii',
        writers: ['P001#20190101', 'P001#20200101', 'P001#20210101', 'P002#20200505'].map(
          (i) => `${i}: job 'mean'`,
        ),
      },
    ]);
  });

  it('are none when each study writes its own output', () => {
    const r = resolveBatch(
      db,
      project,
      batch(undefined, { type: 'OUT', name: 'o1', path: 'm/mean.nii', ref: { kind: 'current' } }),
    );
    expect(r.collisions).toEqual([]);
    expect(r.group).toBeUndefined();
  });
});
