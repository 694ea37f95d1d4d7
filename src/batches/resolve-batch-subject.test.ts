import { describe, expect, it } from 'vitest';
import { FIXTURE_ROOT } from '../selection/test-fixture.js';
import type { BatchDefinition } from './batch-definition.js';
import { resolvedArguments, type ItemResolution } from './batch-resolution.js';
import { at, createPreviewFixture, item } from './preview-fixture.js';
import { resolveBatch } from './resolve-batch.js';

const { db, project } = createPreviewFixture();

const SUBJECT_BATCH: BatchDefinition = {
  name: 'Longitudinal',
  level: 'subject',
  references: { BASELINE: { kind: 'oldest' }, FOLLOWUP: { kind: 'latest' } },
  jobs: [
    {
      name: 'reg',
      library: 'test/reg',
      args: [
        { type: 'FILE', name: 'fixed', patterns: ['t1*/*.nii'], ref: { kind: 'named', name: 'BASELINE' } },
        { type: 'FILE', name: 'moving', patterns: ['t1*/*.nii'], ref: { kind: 'named', name: 'FOLLOWUP' } },
        {
          type: 'FILE',
          name: 'second',
          patterns: ['t1*/*.nii'],
          ref: { kind: 'oldest', offset: 1 },
          optional: true,
        },
        { type: 'OUT', name: 'o1', path: 'reg/moved.nii', ref: { kind: 'named', name: 'FOLLOWUP' } },
      ],
    },
    {
      name: 'pick',
      library: 'test/pick',
      args: [
        { type: 'FILE', name: 'tagged', patterns: ['t1*/*.nii'], ref: { kind: 'tagged', tag: 'baseline' } },
        {
          type: 'FILE',
          name: 'match',
          patterns: ['t1*/*.nii'],
          ref: { kind: 'matching', pattern: '2021*' },
          optional: true,
        },
      ],
    },
    {
      name: 'model',
      library: 'test/model',
      args: [
        { type: 'FILE', name: 'm', patterns: ['t1_mprage/*.nii'], ref: { kind: 'analysis', name: 'models' } },
        { type: 'OUT', name: 'o1', path: 'isles/model.json', ref: { kind: 'analysis', name: 'stroke' } },
        { type: 'OPTION', name: 'kind', value: 'mask', choices: ['mask', 'probabilities'] },
      ],
    },
  ],
};

describe('resolveBatch at subject level', () => {
  const resolution = resolveBatch(db, project, SUBJECT_BATCH);

  it('resolves named, oldest/latest, tagged, matching and analysis references per subject', () => {
    expect(resolution.items.map((i) => [i.item, i.runnable, i.studies.length])).toEqual([
      ['P001', true, 3],
      ['P002', true, 1],
      ['P003', false, 1],
    ]);
    const p001 = item(resolution.items, 'P001');
    expect(resolvedArguments(p001, 0)).toEqual({
      fixed: [at('P001#20190101', 't1_mprage_sag/s001.nii')],
      moving: [at('P001#20210101', 't1_mprage_sag/s001.nii')],
      second: [at('P001#20200101', 't1_mprage_tra/s003.nii')],
      o1: at('P001#20210101', 'reg/moved.nii'),
    });
    expect(resolvedArguments(p001, 1)).toEqual({
      tagged: [at('P001#20190101', 't1_mprage_sag/s001.nii')],
      match: [at('P001#20210101', 't1_mprage_sag/s001.nii')],
    });
    expect(resolvedArguments(p001, 2)).toEqual({
      m: [`${FIXTURE_ROOT}/analysis/models/t1_mprage/s001.nii`],
      o1: `${FIXTURE_ROOT}/analysis/stroke/isles/model.json`,
      kind: 'mask',
    });
  });

  it('lets a missing optional input pass and reports the reasons', () => {
    const p002 = item(resolution.items, 'P002');
    expect(resolvedArguments(p002, 0)['second']).toEqual([]);
    expect(resolution.summary).toMatchObject({ total: 3, ready: 2, notRunnable: 1 });
    expect(resolution.summary.missing).toEqual([
      {
        item: 'P002',
        runnable: true,
        reasons: [
          "job 'reg', argument 'second' (optional): P002 has only 1 study; OLDEST+1 needs 2",
          "job 'pick', argument 'match' (optional): P002 has no study matching 2021*",
        ],
      },
      {
        item: 'P003',
        runnable: false,
        reasons: [
          "job 'reg', argument 'fixed': no file matches t1*/*.nii in P003#20200101",
          "job 'reg', argument 'moving': no file matches t1*/*.nii in P003#20200101",
          "job 'pick', argument 'tagged': P003 has no study tagged baseline",
          "job 'reg', argument 'second' (optional): P003 has only 1 study; OLDEST+1 needs 2",
          "job 'pick', argument 'match' (optional): P003 has no study matching 2021*",
        ],
      },
    ]);
  });

  it('resolves references among all studies of a selected subject', () => {
    const only = resolveBatch(db, project, SUBJECT_BATCH, { selector: 'P001#LATEST' });
    expect(only.items.map((i) => i.item)).toEqual(['P001']);
    expect(resolvedArguments(only.items[0] as ItemResolution, 0)['fixed']).toEqual([
      at('P001#20190101', 't1_mprage_sag/s001.nii'),
    ]);
  });
});
