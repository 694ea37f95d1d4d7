import { describe, expect, it } from 'vitest';
import type { BatchDefinition } from './batch-definition.js';
import { resolvedArguments } from './batch-resolution.js';
import { at, createPreviewFixture, item } from './preview-fixture.js';
import { resolveBatch } from './resolve-batch.js';

const fixture = createPreviewFixture();
const { db, project } = fixture;

const STUDY_BATCH: BatchDefinition = {
  name: 'Mask',
  level: 'study',
  jobs: [
    {
      name: 'bet',
      library: 'test/bet',
      args: [
        { type: 'FILE', name: 'f1', patterns: ['t1*/s00_.nii'], ref: { kind: 'current' } },
        { type: 'OUT', name: 'o1', path: 'masks/brain.nii', ref: { kind: 'current' } },
        { type: 'NUMERIC', name: 'n1', value: 0.5 },
      ],
    },
    {
      name: 'stats',
      library: 'test/stats',
      args: [
        { type: 'FILE', name: 'f1', patterns: ['masks/brain.nii'], ref: { kind: 'current' } },
        {
          type: 'FILE',
          name: 'f2',
          patterns: ['dwi/*.nii'],
          ref: { kind: 'current' },
          multiple: true,
          optional: true,
        },
        { type: 'PATHOUT', name: 'p1', path: 'stats/', ref: { kind: 'current' } },
      ],
    },
    {
      name: 'report',
      library: 'test/report',
      args: [
        { type: 'FILE', name: 'f1', patterns: ['stats/*.csv'], ref: { kind: 'current' } },
        { type: 'LOGICAL', name: 'l1', value: false },
      ],
    },
  ],
};

describe('resolveBatch at study level', () => {
  const resolution = resolveBatch(db, project, STUDY_BATCH);

  it('resolves every present study and summarises ready and missing items with reasons', () => {
    expect(resolution.items.map((i) => i.item)).toEqual([
      'P001#20190101',
      'P001#20200101',
      'P001#20210101',
      'P002#20200505',
      'P003#20200101',
    ]);
    expect(resolution.summary).toMatchObject({ total: 5, ready: 4, notRunnable: 1 });
    expect(resolution.summary.missing.find((m) => m.item === 'P003#20200101')).toEqual({
      item: 'P003#20200101',
      runnable: false,
      reasons: [
        "job 'bet', argument 'f1': no file matches t1*/s00_.nii in P003#20200101",
        "job 'stats', argument 'f2' (optional): no file matches dwi/*.nii in P003#20200101",
      ],
    });
    expect(resolution.summary.missing.find((m) => m.item === 'P002#20200505')?.runnable).toBe(true);
  });

  it('takes the first file by path, all files when multiple, and matches case-insensitively', () => {
    const first = item(resolution.items, 'P001#20190101');
    expect(resolvedArguments(first, 0)).toEqual({
      f1: [at('P001#20190101', 't1_mprage_sag/s001.nii')],
      o1: at('P001#20190101', 'masks/brain.nii'),
      n1: 0.5,
    });
    expect(first.warnings).toEqual([
      "job 'bet', argument 'f1': 2 files match in P001#20190101; the first by path is taken",
    ]);
    expect(resolvedArguments(first, 1)['f2']).toEqual([
      at('P001#20190101', 'dwi/d001.nii'),
      at('P001#20190101', 'dwi/d002.nii'),
    ]);
    expect(resolvedArguments(item(resolution.items, 'P002#20200505'), 0)['f1']).toEqual([
      at('P002#20200505', 'T1_MPRAGE_SAG/S004.NII'),
    ]);
  });

  it("counts an earlier job's output as an input, and defers inputs inside an output folder", () => {
    const first = item(resolution.items, 'P001#20200101');
    expect(first.jobs[1]?.args[0]).toEqual({
      type: 'FILE',
      name: 'f1',
      ok: true,
      location: 'P001#20200101',
      paths: [at('P001#20200101', 'masks/brain.nii')],
      matched: 1,
      producedBy: 'bet',
    });
    expect(resolvedArguments(first, 1)).toEqual({
      f1: [at('P001#20200101', 'masks/brain.nii')],
      f2: [],
      p1: at('P001#20200101', 'stats'),
    });
    expect(first.jobs[2]?.args[0]).toMatchObject({
      ok: true,
      deferred: true,
      producedBy: 'stats',
      paths: [],
    });
    expect(() => resolvedArguments(first, 2)).toThrow(/written by job 'stats'/);
    expect(() => resolvedArguments(item(resolution.items, 'P003#20200101'), 0)).toThrow(/no file matches/);
  });

  it('takes items from a selector, a filter, or a list (reporting absent studies)', () => {
    const items = (selection: Parameters<typeof resolveBatch>[3]): string[] =>
      resolveBatch(db, project, STUDY_BATCH, selection).items.map((i) => i.item);
    expect(items({ selector: 'P00*#LATEST' })).toEqual(['P001#20210101', 'P002#20200505', 'P003#20200101']);
    expect(items({ filter: 'STAG:baseline' })).toEqual(['P001#20190101', 'P002#20200505']);
    const absent = fixture.studyId('P001#20220101');
    const listed = resolveBatch(db, project, STUDY_BATCH, [
      { studyId: absent, subjectId: 1, pid: 'P001', sid: '20220101', ref: 'P001#20220101', folder: '/x' },
    ]);
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({
      runnable: false,
      problems: [expect.stringContaining('not a present study')],
    });
  });

  it('rejects an output path that leaves the study folder before resolving anything', () => {
    const escaping: BatchDefinition = {
      ...STUDY_BATCH,
      jobs: [
        {
          name: 'bad',
          library: 'test/bad',
          args: [{ type: 'OUT', name: 'o1', path: '../../P002/x.nii', ref: { kind: 'current' } }],
        },
      ],
    };
    expect(() => resolveBatch(db, project, escaping)).toThrow(
      "Invalid batch: study-level batch 'Mask', job 'bad', argument 'o1' (OUT): path '../../P002/x.nii' leaves the study folder",
    );
  });
});
