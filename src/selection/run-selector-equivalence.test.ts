import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { entitySql } from './file-conditions.js';
import { createLargeFixture } from './large-fixture.js';
import { likeSql } from './like-pattern.js';
import { parseSelector } from './parse-selector.js';
import { resolveFilePath } from './resolve-file-path.js';
import { eachSelectedStudy, selectFiles, selectStudies } from './run-selector.js';
import type { SelectedFile, SelectedStudy } from './selection.js';
import { DEFAULT_FILE_SORT, type FileSortKey, type FileTerms } from './selector.js';
import { joinSql, sql } from './sql-fragment.js';
import { createSelectionFixture, FIXTURE_ROOT } from './test-fixture.js';

// selectFiles reads one joined statement in its final order and applies NTH(k) in JavaScript (the
// biobank's 200,000 studies). The reference here is the obvious slow form: the candidate studies,
// then per study one query for its matching files in file order, NTH by OFFSET.

const SORTS: Readonly<Record<FileSortKey, string>> = {
  path: 'f.path',
  name: "substr(f.path, length(rtrim(f.path, replace(f.path, '/', ''))) + 1)",
  size: 'f.size',
  mtime: 'f.mtime_ms',
};

function reference(db: Db, project: Project, text: readonly string[], keepEmpty: boolean): SelectedStudy[] {
  const selector = parseSelector(text);
  const terms: FileTerms = selector.files ?? {
    patterns: [],
    paths: [],
    tags: [],
    sort: DEFAULT_FILE_SORT,
    nth: null,
  };
  const sort = terms.sort;
  const fileIds = terms.paths.map((p) => resolveFilePath(db, project, p));
  const anyOf = joinSql(
    [...terms.patterns.map((like) => likeSql(sql`f.path`, like)), ...fileIds.map((id) => sql`f.id = ${id}`)],
    ' OR ',
    sql`1`,
  );
  const tags = terms.tags.map(
    (t) =>
      sql`${t.negated ? sql`NOT ` : sql``}EXISTS (SELECT 1 FROM file_tags t WHERE t.file_id = f.id AND t.tag = ${t.tag})`,
  );
  const where = joinSql([anyOf, ...tags, ...(terms.entities ?? []).map(entitySql)], ' AND ', sql`1`);
  const order = `${SORTS[sort.key]}${sort.descending ? ' DESC' : ''}, f.path`;
  const out: SelectedStudy[] = [];
  for (const study of selectStudies(db, project, selector).studies) {
    const base = sql`FROM files f WHERE f.study_id = ${study.studyId} AND f.present = 1 AND ${where}`;
    const count = db
      .prepare(`SELECT count(*) ${base.text}`)
      .pluck()
      .get(...base.params) as number;
    const nth = terms.nth;
    const offset = nth === null ? 0 : nth > 0 ? nth - 1 : count + nth;
    const limit = nth === null ? -1 : offset < 0 ? 0 : 1;
    const rows = db
      .prepare(`SELECT f.id, f.path, f.size, f.mtime_ms ${base.text} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...base.params, limit, Math.max(offset, 0)) as Array<{
      id: number;
      path: string;
      size: number;
      mtime_ms: number;
    }>;
    const files: SelectedFile[] = rows.map((r) => ({
      fileId: r.id,
      path: r.path,
      absolutePath: join(study.folder, r.path),
      size: r.size,
      mtimeMs: r.mtime_ms,
    }));
    if (files.length > 0 || keepEmpty) out.push({ ...study, files });
  }
  return out;
}

const SELECTORS: ReadonlyArray<readonly string[]> = [
  [],
  ['*'],
  ['file:t1_mprage/*.nii'],
  ['file:T1_*/s00_.nii'], // case-insensitive, `_` one character
  ['file:notes/100%.txt'],
  ['file:notes/a\\_b.txt'],
  ['file:notes/star\\*.txt'],
  ['file:notes/*'],
  ['file:*.nii', 'file:*.txt'],
  ['P00*', 'file:t1*/*.nii', 'sort:-mtime'],
  ['file:*', 'sort:name'],
  ['file:*', 'sort:-size', 'nth:1'],
  ['file:*', 'sort:size', 'nth:-1'],
  ['file:*.nii', 'nth:2'],
  ['file:*.nii', 'nth:-3'],
  ['file:*.nii', 'nth:40'],
  ['*#LATEST', 'file:t1_mprage/*.nii'],
  ['*#OLDEST+1', 'stag:qc_ok', 'file:*.nii'],
  ['P001#LATEST-1', 'P002', 'tag:t1'],
  ['tag:t1', 'nottag:best'],
  ['ptag:control', 'notstag:qc_ok', 'file:notes/*', 'tag:unicode'],
  ['12*#ses-*', 'file:t2_tse/*'],
  ['Q_01'],
  [`${FIXTURE_ROOT}/P001/20200101/t1_mprage/s002.nii`, `${FIXTURE_ROOT}/P002/20200505/T1_MPRAGE/S001.NII`],
  ['P001', `${FIXTURE_ROOT}/P001/20200101/t2_tse/a.nii`, 'file:t1*/*'],
];

describe('selectFiles against per-study queries', () => {
  const fixture = createSelectionFixture();
  for (const keepEmpty of [false, true]) {
    it.each(SELECTORS.map((s) => [s.join(' ') || '(none)', s] as const))(
      `gives the same studies and files for %s (empty studies kept: ${keepEmpty})`,
      (_name, text) => {
        const expected = reference(fixture.db, fixture.project, text, keepEmpty);
        const selector = parseSelector(text);
        const options = { includeEmptyStudies: keepEmpty };
        expect(selectFiles(fixture.db, fixture.project, selector, options).studies).toEqual(expected);
        // The streamed form is the same list, study by study.
        expect([...eachSelectedStudy(fixture.db, fixture.project, selector, options)]).toEqual(expected);
      },
    );
  }

  it('agrees on a catalog of 400 studies and 16,000 files, in order', () => {
    const { db, project } = createLargeFixture({
      subjects: 200,
      studiesPerSubject: 2,
      seriesPerStudy: 10,
      filesPerSeries: 4,
    });
    for (const text of [
      ['file:t1_mprage*/s000.nii'],
      ['stag:qc_ok', 'file:t1_*/s00*.nii', 'sort:-name'],
      ['S001*#LATEST', 'file:dwi*/*.nii', 'nth:-2'],
      ['tag:best'],
    ]) {
      const got = selectFiles(db, project, parseSelector(text)).studies;
      expect(got.length).toBeGreaterThan(0);
      expect(got).toEqual(reference(db, project, text, false));
    }
  });
});
