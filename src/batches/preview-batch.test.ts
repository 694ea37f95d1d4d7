import { describe, expect, it } from 'vitest';
import { createSelectionFixture, type FixtureSubject } from '../selection/test-fixture.js';
import type { BatchDefinition } from './batch-definition.js';
import { MAX_PREVIEW_MISSING, type BatchPreview } from './batch-preview.js';
import type { BatchResolution } from './batch-resolution.js';
import type { BatchItems } from './load-batch-scope.js';
import { LONGITUDINAL_BATCH } from './longitudinal-batch.js';
import { previewBatch } from './preview-batch.js';
import { proposePatterns } from './propose-patterns.js';
import { resolveBatch } from './resolve-batch.js';

// The preview keeps a page and counts; these pin it to the full resolution on a catalog where every
// kind of reference, a missing input, an output collision and a generalised pattern occur.

const SERIES = ['t1_mprage_0', 'flair_tra_1', 'dwi_64dir_2', 't2_tse_3', 'swi_4', 't1_tra_5'];

/** 40 subjects with 1 to 3 studies; series, tags and study ids vary with the subject's number. */
function subjects(): FixtureSubject[] {
  return Array.from({ length: 40 }, (_, p) => ({
    pid: `S${String(p + 1).padStart(3, '0')}`,
    studies: Array.from({ length: 1 + (p % 3) }, (_, s) => ({
      sid: `2020${String(s + 1).padStart(2, '0')}01_${s}`,
      ...((p + s) % 4 === 0 ? { tags: ['qc_ok'] } : {}),
      // Every fifth subject's studies lack the T1 series the first job needs; some hold two files.
      files: SERIES.filter((_, i) => (p % 5 === 4 ? i !== 0 : true) && i < 3 + ((p + s) % 4)).flatMap(
        (series) => [
          { path: `${series}/s000.nii` },
          ...(p % 2 === 0 ? [{ path: `${series}/s001.nii` }] : []),
        ],
      ),
    })),
  }));
}

const { db, project } = createSelectionFixture(subjects());

/**
 * LONGITUDINAL_BATCH (named, offset, tagged, matching references, an optional input, an input written
 * by an earlier job; its matching reference and optional input pointed at what this catalog has) plus
 * a job writing one path in an analysis folder for every subject: a collision.
 */
const LONGITUDINAL = JSON.parse(
  JSON.stringify(LONGITUDINAL_BATCH)
    .replaceAll('2020*_4', '2020*_1')
    .replaceAll('t1_tra*/*.nii', 't1_mprage*/*.nii')
    .replaceAll('s004', 's001'),
) as BatchDefinition;
const SUBJECT_BATCH: BatchDefinition = {
  ...LONGITUDINAL,
  jobs: [
    ...LONGITUDINAL.jobs,
    {
      name: 'Shared output',
      language: 'bash',
      script: 'touch "$o1"',
      args: [
        { type: 'OUT', name: 'o1', path: 'all/one.nii', ref: { kind: 'analysis', name: 'group' } },
        // An analysis folder the catalog does not have: counted as missing, not an error.
        {
          type: 'FILE',
          name: 'm',
          patterns: ['models/*.json'],
          ref: { kind: 'analysis', name: 'models' },
          optional: true,
        },
      ],
    },
  ],
};

/** At study level, a pattern the studies name differently (`t1_tra_5` vs `t1_mprage_0`): proposals. */
const STUDY_BATCH: BatchDefinition = {
  name: 'Study level',
  level: 'study',
  jobs: [
    {
      name: 'mask',
      language: 'bash',
      script: 'bet "$f1" "$o1"; cp "$f2" "$o2"',
      args: [
        { type: 'FILE', name: 'f1', patterns: ['t1_mprage_0/s000.nii'], ref: { kind: 'current' } },
        { type: 'FILE', name: 'f2', patterns: ['dwi*/*.nii'], ref: { kind: 'current' }, multiple: true },
        { type: 'OUT', name: 'o1', path: 'masks/brain.nii', ref: { kind: 'current' } },
        { type: 'OUT', name: 'o2', path: 'masks/first.nii', ref: { kind: 'oldest' } },
      ],
    },
    {
      name: 'stats',
      language: 'bash',
      script: 'stats "$f1"',
      args: [{ type: 'FILE', name: 'f1', patterns: ['masks/*.nii'], ref: { kind: 'current' } }],
    },
  ],
};

/** The preview a full resolution implies for one page. */
function expectSamePage(full: BatchResolution, preview: BatchPreview, offset: number, limit: number): void {
  expect(preview.page).toEqual({ offset, limit });
  expect(preview.items).toEqual(full.items.slice(offset, offset + limit));
  expect(preview.collisions).toEqual(full.collisions);
  expect(preview.group).toEqual(full.group);
  const { missing, missingItems, jobs, arguments: args, ...counts } = preview.summary;
  expect(counts).toEqual({
    total: full.summary.total,
    ready: full.summary.ready,
    notRunnable: full.summary.notRunnable,
  });
  expect(missing).toEqual(full.summary.missing.slice(0, MAX_PREVIEW_MISSING));
  expect(missingItems).toBe(full.summary.missing.length);
  expect(jobs.map((j) => [j.ready, j.notRunnable])).toEqual(
    full.items.length === 0
      ? []
      : (full.items.find((i) => i.jobs.length > 0)?.jobs ?? []).map((job) => {
          const of = full.items.flatMap((i) => i.jobs.filter((j) => j.index === job.index));
          return [of.filter((j) => j.runnable).length, of.filter((j) => !j.runnable).length];
        }),
  );
  const misses = full.items.flatMap((i) =>
    i.jobs.flatMap((j) => j.args.flatMap((a) => (a.ok ? [] : [{ item: i.item, job: j.index, a }]))),
  );
  for (const tally of args) {
    const of = misses.filter((m) => m.job === tally.jobIndex && m.a.name === tally.argument);
    expect(tally.missing).toBe(of.length);
    expect(tally.example).toBe(`${of[0]?.item ?? ''}: ${of[0]?.a.ok === false ? of[0].a.reason : ''}`);
  }
  expect(args.reduce((n, t) => n + t.missing, 0)).toBe(misses.length);
}

describe('previewBatch against the full resolution', () => {
  const PAGES: ReadonlyArray<[number, number]> = [
    [0, 1000],
    [0, 5],
    [7, 9],
    [38, 10],
    [200, 10],
    [3, 0],
  ];

  it('at subject level: every page, the counts, the missing inputs and the collision are the same', () => {
    const full = resolveBatch(db, project, SUBJECT_BATCH);
    // The catalog exercises what it should: ready and not ready items, optional misses, a collision.
    expect(full.summary.ready).toBeGreaterThan(5);
    expect(full.summary.notRunnable).toBeGreaterThan(5);
    expect(full.summary.missing.some((m) => m.runnable)).toBe(true);
    expect(full.collisions).toHaveLength(1);
    expect(full.items.some((i) => i.warnings.some((w) => w.includes('files match')))).toBe(true);
    for (const [offset, limit] of PAGES) {
      expectSamePage(full, previewBatch(db, project, SUBJECT_BATCH, 'all', { offset, limit }), offset, limit);
    }
  });

  it('at study level: pages, collisions of a shared oldest study, and the proposals', () => {
    const full = resolveBatch(db, project, STUDY_BATCH);
    const proposals = proposePatterns(db, project, STUDY_BATCH, full);
    expect(proposals).toHaveLength(1);
    expect(full.collisions.length).toBeGreaterThan(0);
    for (const [offset, limit] of PAGES) {
      const preview = previewBatch(db, project, STUDY_BATCH, 'all', { offset, limit });
      expectSamePage(full, preview, offset, limit);
      // The proposal's seed comes from a counted item when the page starts later.
      expect(preview.proposals).toEqual(proposals);
    }
  });

  it('over selectors, filters and a list with a study the catalog does not have', () => {
    const gone = {
      studyId: 99_999,
      subjectId: 99_999,
      pid: 'S999',
      sid: 'x',
      ref: 'S999#x',
      folder: '/nowhere',
    };
    const known = resolveBatch(db, project, STUDY_BATCH, { selector: 'S00*' }).items[3]?.study;
    if (known === undefined || known === null) throw new Error('no study');
    const selections: BatchItems[] = [
      { selector: '*#LATEST stag:qc_ok' },
      { filter: 'S01 & STAG:qc_ok' },
      [known, gone],
    ];
    for (const items of selections) {
      for (const batch of [SUBJECT_BATCH, STUDY_BATCH]) {
        const full = resolveBatch(db, project, batch, items);
        expect(full.items.length).toBeGreaterThan(0);
        for (const [offset, limit] of [
          [0, 1],
          [1, 3],
        ] as const) {
          expectSamePage(full, previewBatch(db, project, batch, items, { offset, limit }), offset, limit);
        }
      }
    }
  });

  it('with a group-level job: its lists over every ready item, whatever the page', () => {
    const batch: BatchDefinition = {
      ...STUDY_BATCH,
      jobs: [
        ...STUDY_BATCH.jobs.slice(0, 1),
        {
          name: 'template',
          language: 'bash',
          script: 'avg "$f1" "$o1"',
          level: 'group',
          args: [
            {
              type: 'FILE',
              name: 'f1',
              patterns: ['t1*/s000.nii'],
              ref: { kind: 'current' },
              multiple: true,
            },
            { type: 'OUT', name: 'o1', path: 'template.nii', ref: { kind: 'analysis', name: 'group' } },
          ],
        },
      ],
    };
    const full = resolveBatch(db, project, batch);
    expect(full.group?.items.length).toBe(full.summary.ready);
    expectSamePage(full, previewBatch(db, project, batch, 'all', { offset: 10, limit: 2 }), 10, 2);
  });

  it('refuses a page that is not whole numbers of 0 or more', () => {
    expect(() => previewBatch(db, project, STUDY_BATCH, 'all', { offset: -1, limit: 5 })).toThrow(
      /whole offset and limit/,
    );
    expect(() => previewBatch(db, project, STUDY_BATCH, 'all', { offset: 0, limit: 1.5 })).toThrow(
      /whole offset and limit/,
    );
  });
});
