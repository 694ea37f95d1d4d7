import { describe, expect, it } from 'vitest';
import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { recording } from '../db/test-fixture.js';
import { filePathIds, MAX_DISTINCT_PATHS, MAX_MATCHED_PATHS, matchDistinctPaths } from './distinct-paths.js';
import { parseFilter } from './parse-filter.js';
import { filterCondition } from './run-filter.js';
import { sql, type SqlFragment } from './sql-fragment.js';
import { presentStudiesFrom } from './study-row.js';
import { createLargeFixture } from './large-fixture.js';
import { parseSelector } from './parse-selector.js';
import { eachSelectedStudy, selectFiles } from './run-selector.js';
import { createSelectionFixture } from './test-fixture.js';

// A selection first matches its file patterns against the distinct paths (file_paths) and then finds
// files by (study_id, path_id); it must give exactly what testing every file gives. Random selectors
// from a fixed seed, over the small fixture (odd names: %, _, *, backslash, unicode, case) and a
// catalog of 120 studies whose paths repeat as a biobank's do.

/** A small deterministic generator (mulberry32): the same selectors in every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STUDY_TERMS = [
  '*',
  'P00*',
  'S000*',
  'S001*#LATEST',
  '*#OLDEST',
  'P001#2020*',
  'S0001*#LATEST-1',
  'Q_01',
];
const FILTERS = ['stag:qc_ok', 'notstag:qc_ok', 'ptag:control', 'notptag:control'];
const PATTERNS = [
  'file:t1_mprage/*.nii',
  'file:T1_*/s00_.nii',
  'file:notes/100%.txt',
  'file:notes/a\\_b.txt',
  'file:notes/star\\*.txt',
  'file:notes/*',
  'file:*.nii',
  'file:*.txt',
  'file:t1_mprage*/s000.nii',
  'file:dwi*/*.nii',
  'file:t1_*/s00*.nii',
  'file:*/s001.nii',
  'file:nothing/here',
  'file:*',
];
const SORTS = [
  'sort:-path',
  'sort:name',
  'sort:-name',
  'sort:size',
  'sort:-size',
  'sort:mtime',
  'sort:-mtime',
];
const NTHS = ['nth:1', 'nth:-1', 'nth:2', 'nth:-3'];

/** Fills `file_paths` with `count` more paths of no file, as a BIDS catalog has. */
function addDistinctPaths(db: Db, count: number): void {
  const add = db.prepare('INSERT INTO file_paths (path) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < count; i++) add.run(`other/${i}.nii`);
  })();
}

const pick = <T>(next: () => number, list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;

function randomSelector(next: () => number): string[] {
  const terms: string[] = [];
  for (let i = Math.floor(next() * 3); i > 0; i--) terms.push(pick(next, STUDY_TERMS));
  if (next() < 0.3) terms.push(pick(next, FILTERS));
  for (let i = 1 + Math.floor(next() * 2); i > 0; i--) terms.push(pick(next, PATTERNS));
  if (next() < 0.5) terms.push(pick(next, SORTS));
  if (next() < 0.3) terms.push(pick(next, NTHS));
  if (next() < 0.1) terms.push('run=1');
  return terms;
}

/** Compares both forms for `count` random selectors; returns how many took the distinct-path form. */
function compareRandom(db: Db, project: Project, seed: number, count: number): number {
  const next = random(seed);
  let viaPaths = 0;
  for (let i = 0; i < count; i++) {
    const text = randomSelector(next);
    const selector = parseSelector(text);
    if (selector.files !== null && matchDistinctPaths(db, selector.files) !== null) viaPaths++;
    for (const keepEmpty of [false, true]) {
      const options = { includeEmptyStudies: keepEmpty };
      const expected = selectFiles(db, project, selector, { ...options, distinctPaths: false }).studies;
      expect(selectFiles(db, project, selector, options).studies, text.join(' ')).toEqual(expected);
      expect([...eachSelectedStudy(db, project, selector, options)], text.join(' ')).toEqual(expected);
    }
  }
  return viaPaths;
}

describe('selections through the distinct paths', () => {
  it('equal the per-file statement on the small fixture for 300 random selectors', () => {
    const { db, project } = createSelectionFixture();
    expect(compareRandom(db, project, 21, 300)).toBeGreaterThan(150);
  });

  it('equal the per-file statement on 120 studies with repeated paths for 100 random selectors', () => {
    const { db, project } = createLargeFixture({
      subjects: 60,
      studiesPerSubject: 2,
      seriesPerStudy: 4,
      filesPerSeries: 3,
    });
    expect(compareRandom(db, project, 7, 100)).toBeGreaterThan(50);
  });

  it('falls back for file tags, absolute paths and patterns matching too many paths', () => {
    const { db } = createLargeFixture({
      subjects: 2,
      studiesPerSubject: 1,
      seriesPerStudy: 10,
      filesPerSeries: 2,
    });
    const files = (text: string[]) => parseSelector(text).files ?? undefined;
    expect(matchDistinctPaths(db, files(['file:*.nii', 'tag:best'])!)).toBeNull();
    expect(matchDistinctPaths(db, files(['/data/large/S00001/x.nii'])!)).toBeNull();
    expect(matchDistinctPaths(db, files(['file:*.nii'])!)).toBeNull(); // 20 distinct paths
    expect(matchDistinctPaths(db, files(['file:t1_mprage*/*.nii'])!)?.ids).toHaveLength(2);
    expect(MAX_MATCHED_PATHS).toBeLessThan(20);
    // Past MAX_DISTINCT_PATHS distinct paths in the catalog every file is tested, as before.
    addDistinctPaths(db, MAX_DISTINCT_PATHS);
    expect(matchDistinctPaths(db, files(['file:t1_mprage*/*.nii'])!)).toBeNull();
  });

  it('reads each file from the index alone', () => {
    const { db: real, project } = createLargeFixture({
      subjects: 20,
      studiesPerSubject: 2,
      seriesPerStudy: 3,
      filesPerSeries: 2,
    });
    const { db, statements } = recording(real);
    const got = [...eachSelectedStudy(db, project, parseSelector(['*', 'file:t1_mprage*/s000.nii']))];
    expect(got).toHaveLength(40);
    const select = statements.find((s) => s.text.includes('f.path_id IN'));
    expect(select).toBeDefined();
    const plan = real
      .prepare(`EXPLAIN QUERY PLAN ${select?.text ?? ''}`)
      .all(...(select?.params ?? [])) as Array<{ detail: string }>;
    const text = plan.map((r) => r.detail).join('\n');
    expect(text).toContain('COVERING INDEX files_study_path_id');
    // Whether SQLite sorts depends on its statistics (this small catalog has some, where it scans 20
    // subjects and sorts); the biobank's plan walks the subjects' index (docs/benchmarks.md).
  });
});

// The filter bar's file terms (run-filter.ts) probe studies by path id where filePathIds allows it:
// the same studies as testing every file's path, in both forms (counted lists and per-study probes).
describe('filter-bar file terms through the distinct paths', () => {
  const FILTER_TERMS = [
    't1_mprage/',
    'T1_*/s00_',
    'notes/100%',
    'notes/a\\_b',
    'notes/star\\*',
    '*.nii',
    'dwi*/*.nii',
    '*/s001',
    'nothing/here',
    'P00',
    'S000*',
    'STAG:qc_ok',
    'PTAG:control',
  ];

  function randomFilter(next: () => number): string {
    const groups: string[] = [];
    for (let g = 1 + Math.floor(next() * 2); g > 0; g--) {
      const terms: string[] = [];
      for (let t = 1 + Math.floor(next() * 2); t > 0; t--)
        terms.push(`${next() < 0.2 ? '!' : ''}${pick(next, FILTER_TERMS)}`);
      groups.push(terms.join(' '));
    }
    return groups.join(' & ');
  }

  function studies(db: Db, projectId: number, condition: SqlFragment): number[] {
    const query = sql`SELECT s.id FROM ${presentStudiesFrom(projectId)} AND (${condition}) ORDER BY s.id`;
    return db
      .prepare(query.text)
      .pluck()
      .all(...query.params) as number[];
  }

  it('select the same studies as testing every file, for 200 random filters on two catalogs', () => {
    const catalogs = [
      createSelectionFixture(),
      createLargeFixture({ subjects: 30, studiesPerSubject: 2, seriesPerStudy: 4, filesPerSeries: 3 }),
    ];
    let probed = 0;
    for (const { db, project } of catalogs) {
      const pathIds = filePathIds(db);
      expect(pathIds).toBeDefined();
      const next = random(5);
      for (let i = 0; i < 100; i++) {
        const text = randomFilter(next);
        const filter = parseFilter(text);
        if (filter.groups.some((g) => g.some((t) => t.kind === 'file' && pathIds?.(t.like) != null)))
          probed++;
        for (const perStudy of [false, true]) {
          const expected = studies(db, project.id, filterCondition(filter, { perStudy }));
          expect(studies(db, project.id, filterCondition(filter, { perStudy, pathIds })), text).toEqual(
            expected,
          );
        }
      }
    }
    expect(probed).toBeGreaterThan(100);
  });

  it('gives no ids past MAX_DISTINCT_PATHS distinct paths, and null for a pattern matching too many', () => {
    const { db } = createLargeFixture({
      subjects: 2,
      studiesPerSubject: 1,
      seriesPerStudy: 10,
      filesPerSeries: 2,
    });
    expect(filePathIds(db)?.('%.nii')).toBeNull(); // 20 distinct paths
    expect(filePathIds(db)?.('t1\\_mprage%')).toHaveLength(2);
    addDistinctPaths(db, MAX_DISTINCT_PATHS);
    expect(filePathIds(db)).toBeUndefined();
  });
});
