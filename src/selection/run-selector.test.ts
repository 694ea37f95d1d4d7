import { describe, expect, it } from 'vitest';
import { isCohortError } from '../errors/cohort-error.js';
import { parseSelector } from './parse-selector.js';
import { eachSelectedStudy, runSelector, selectFiles, selectStudies } from './run-selector.js';
import type { Selection } from './selection.js';
import { createSelectionFixture, FIXTURE_ROOT } from './test-fixture.js';

const fixture = createSelectionFixture();

function select(input: string | readonly string[], includeEmptyStudies = false): Selection {
  return runSelector(fixture.db, fixture.project, parseSelector(input), { includeEmptyStudies });
}

function refs(input: string | readonly string[]): string[] {
  return select(input).studies.map((s) => s.ref);
}

/** `REF:path` for every selected file, in result order. */
function files(input: string | readonly string[]): string[] {
  return select(input).studies.flatMap((s) => s.files.map((f) => `${s.ref}:${f.path}`));
}

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (isCohortError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected an error');
}

const ALL_PRESENT = [
  '1201#ses-2',
  '1201#ses-10',
  '1202#ses-1',
  'P001#20190101',
  'P001#20200101',
  'P001#20210315',
  'P002#20200505',
  'P002#20201111',
  // Binary order: 'X' sorts before '_'.
  'QX01#b',
  'Q_01#a',
];

describe('selecting studies', () => {
  it('selects every present study, by subject then chronologically, without files', () => {
    const selection = select('*');
    expect(selection.studies.map((s) => s.ref)).toEqual(ALL_PRESENT);
    expect(selection.studies.every((s) => s.files.length === 0)).toBe(true);
    expect(refs([])).toEqual(ALL_PRESENT);
  });

  it('fills in ids and the absolute study folder', () => {
    const [study] = select('P001#20200101').studies;
    expect(study).toEqual({
      studyId: fixture.studyId('P001#20200101'),
      subjectId: expect.any(Number) as number,
      pid: 'P001',
      sid: '20200101',
      ref: 'P001#20200101',
      folder: `${FIXTURE_ROOT}/P001/20200101`,
      files: [],
    });
  });

  it('matches exact subject ids and subject patterns', () => {
    expect(refs('P002')).toEqual(['P002#20200505', 'P002#20201111']);
    expect(refs('12*')).toEqual(['1201#ses-2', '1201#ses-10', '1202#ses-1']);
    expect(refs('P00')).toEqual([]);
    expect(refs('P003')).toEqual([]); // absent subject
  });

  it('treats _ as one character unless escaped', () => {
    expect(refs('Q_01')).toEqual(['QX01#b', 'Q_01#a']);
    expect(refs('Q\\_01')).toEqual(['Q_01#a']);
  });

  it('matches study ids exactly or by pattern on both sides', () => {
    expect(refs('P001#20200101')).toEqual(['P001#20200101']);
    expect(refs('P0*#2020*')).toEqual(['P001#20200101', 'P002#20200505', 'P002#20201111']);
  });

  it('picks LATEST and OLDEST, with an index, ignoring absent studies', () => {
    expect(refs('P001#LATEST')).toEqual(['P001#20210315']);
    expect(refs('P001#LATEST-1')).toEqual(['P001#20200101']);
    expect(refs('P001#latest-5')).toEqual([]);
    expect(refs('P001#OLDEST')).toEqual(['P001#20190101']);
    expect(refs('P001#OLDEST+2')).toEqual(['P001#20210315']);
  });

  it('picks every subject latest study in natural order', () => {
    expect(refs('*#LATEST')).toEqual([
      '1201#ses-10',
      '1202#ses-1',
      'P001#20210315',
      'P002#20201111',
      'QX01#b',
      'Q_01#a',
    ]);
  });

  it('unites study terms without duplicates', () => {
    expect(refs('P001#LATEST P001#2021* 1202')).toEqual(['1202#ses-1', 'P001#20210315']);
  });

  it('filters by study and subject tags, also negated', () => {
    expect(refs('stag:qc_ok')).toEqual(['1201#ses-10', 'P001#20200101', 'P001#20210315', 'P002#20200505']);
    expect(refs('P001 notstag:qc_ok')).toEqual(['P001#20190101']);
    expect(refs('ptag:control')).toEqual([
      '1201#ses-2',
      '1201#ses-10',
      'P001#20190101',
      'P001#20200101',
      'P001#20210315',
    ]);
    expect(refs('ptag:control notptag:patient stag:qc_ok')).toEqual(['P001#20200101', 'P001#20210315']);
    expect(refs('stag:QC_OK')).toEqual([]); // tags compare exactly
  });

  it('applies tag filters after LATEST, not before', () => {
    expect(refs('*#LATEST stag:baseline')).toEqual([]);
    expect(refs('*#OLDEST stag:baseline')).toEqual(['P001#20190101', 'P002#20200505']);
  });

  it('selectStudies ignores file terms', () => {
    const selection = selectStudies(fixture.db, fixture.project, parseSelector('P002 file:nothing'));
    expect(selection.studies.map((s) => s.ref)).toEqual(['P002#20200505', 'P002#20201111']);
  });
});

describe('selecting files', () => {
  it('matches a pattern in every candidate study, case-insensitively, never absent files', () => {
    expect(files('P00* file:t1_mprage/*.nii')).toEqual([
      'P001#20190101:t1_mprage/s001.nii',
      'P001#20200101:t1_mprage/s001.nii',
      'P001#20200101:t1_mprage/s002.nii',
      'P001#20210315:t1_mprage/s001.nii',
      'P002#20200505:T1_MPRAGE/S001.NII',
      'P002#20201111:t1_mprage/s001.nii',
    ]);
  });

  it('fills in file details', () => {
    const [study] = select('P001#20200101 file:t2_tse/a.nii').studies;
    expect(study?.files).toEqual([
      {
        fileId: fixture.fileId('P001#20200101', 't2_tse/a.nii'),
        path: 't2_tse/a.nii',
        absolutePath: `${FIXTURE_ROOT}/P001/20200101/t2_tse/a.nii`,
        size: 50,
        mtimeMs: 4_000,
      },
    ]);
  });

  it('unites several file patterns', () => {
    expect(files('P001#20200101 file:t2_*/* file:*/s002.nii')).toEqual([
      'P001#20200101:t1_mprage/s002.nii',
      'P001#20200101:t2_tse/a.nii',
    ]);
  });

  it('drops studies without a matching file unless asked to keep them', () => {
    expect(refs('P001 file:t2_tse/a.nii')).toEqual(['P001#20200101']);
    const kept = select('P001 file:t2_tse/a.nii', true).studies;
    expect(kept.map((s) => [s.ref, s.files.length])).toEqual([
      ['P001#20190101', 0],
      ['P001#20200101', 1],
      ['P001#20210315', 0],
    ]);
  });

  it('escapes LIKE characters in file names', () => {
    expect(files('P001#20200101 file:notes/100%*')).toEqual(['P001#20200101:notes/100%.txt']);
    expect(files('P001#20200101 file:notes/a_b.txt')).toEqual([
      'P001#20200101:notes/a_b.txt',
      'P001#20200101:notes/axb.txt',
    ]);
    expect(files('P001#20200101 file:notes/a\\_b.txt')).toEqual(['P001#20200101:notes/a_b.txt']);
    expect(files('P001#20200101 file:notes/star\\*.txt')).toEqual(['P001#20200101:notes/star*.txt']);
  });

  it('finds names with spaces, quotes, unicode and shell syntax', () => {
    expect(files(['P001#20200101', 'file:notes/my file.txt'])).toEqual(['P001#20200101:notes/my file.txt']);
    expect(files('P001#20200101 "file:notes/my file.txt"')).toEqual(['P001#20200101:notes/my file.txt']);
    expect(files(['P001#20200101', `file:notes/it's "quoted".txt`])).toEqual([
      `P001#20200101:notes/it's "quoted".txt`,
    ]);
    expect(files('P001#20200101 file:notes/ünï*')).toEqual(['P001#20200101:notes/ünïcödé.nii']);
    expect(files('P001#20200101 file:notes/$(x).txt')).toEqual(['P001#20200101:notes/$(x).txt']);
    expect(files('P001#20200101 file:notes/back\\slash.txt')).toEqual([
      'P001#20200101:notes/back\\slash.txt',
    ]);
  });

  it('filters files by tag, also negated', () => {
    expect(files('P001 tag:best')).toEqual(['P001#20200101:t1_mprage/s002.nii']);
    expect(files('P001#20200101 file:t1_* nottag:best')).toEqual([
      'P001#20200101:t1_mprage/s001.nii',
      'P001#20200101:t1_tra/s001.nii',
    ]);
    expect(files('tag:unicode')).toEqual(['P001#20200101:notes/ünïcödé.nii']);
  });

  it('sorts files and picks the nth per study', () => {
    const t1 = 'P001#20200101 file:t1_*';
    expect(files(`${t1} sort:size`).map((f) => f.split(':')[1])).toEqual([
      't1_mprage/s001.nii',
      't1_tra/s001.nii',
      't1_mprage/s002.nii',
    ]);
    expect(files(`${t1} sort:-mtime`).map((f) => f.split(':')[1])).toEqual([
      't1_tra/s001.nii',
      't1_mprage/s001.nii',
      't1_mprage/s002.nii',
    ]);
    // By name ties go by path: s001.nii (t1_mprage), s001.nii (t1_tra), s002.nii.
    expect(files(`${t1} sort:name nth:2`)).toEqual(['P001#20200101:t1_tra/s001.nii']);
    expect(files(`${t1} sort:-name nth:1`)).toEqual(['P001#20200101:t1_mprage/s002.nii']);
    expect(files(`${t1} sort:size nth:-1`)).toEqual(['P001#20200101:t1_mprage/s002.nii']);
    expect(files(`${t1} nth:4`)).toEqual([]);
  });

  it('picks the nth file in each study separately', () => {
    expect(files('P001 file:t*/*.nii sort:-path nth:1')).toEqual([
      'P001#20190101:t2_tse/s001.nii',
      'P001#20200101:t2_tse/a.nii',
      'P001#20210315:t2_tse/s001.nii',
    ]);
  });

  it('selects every file when there are only sort or tag terms', () => {
    expect(select('P001#20210315 sort:path').studies[0]?.files.map((f) => f.path)).toEqual([
      't1_mprage/s001.nii',
      't2_tse/s001.nii',
    ]);
    const all = selectFiles(fixture.db, fixture.project, parseSelector('1202'));
    expect(all.studies[0]?.files).toHaveLength(2);
  });

  it('selects exactly the file at an absolute path inside the root', () => {
    const path = `${FIXTURE_ROOT}/P001/20200101/notes/my file.txt`;
    expect(files([path])).toEqual(['P001#20200101:notes/my file.txt']);
    expect(
      files([`${FIXTURE_ROOT}/P001/./x/../20200101/t2_tse/a.nii`, 'file:*/s002.nii', 'P001#20200101']),
    ).toEqual(['P001#20200101:t1_mprage/s002.nii', 'P001#20200101:t2_tse/a.nii']);
    // The path's study is not among the candidates.
    expect(files([path, 'P002'])).toEqual([]);
  });

  it('rejects absolute paths outside the root, or not in the catalog', () => {
    expect(errorOf(() => select(['/etc/passwd']))).toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    expect(errorOf(() => select([`${FIXTURE_ROOT}-other/P001/x.nii`]))).toMatchObject({
      code: 'PATH_OUTSIDE_ROOT',
    });
    expect(errorOf(() => select([`${FIXTURE_ROOT}/P001/../../etc/passwd`]))).toMatchObject({
      code: 'PATH_OUTSIDE_ROOT',
    });
    expect(errorOf(() => select([`${FIXTURE_ROOT}/P001/20200101/t1_mprage/s003.nii`]))).toMatchObject({
      code: 'NOT_FOUND',
    }); // absent file
    expect(errorOf(() => select([`${FIXTURE_ROOT}/analysis/models/t1_mprage/s001.nii`]))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('never selects analysis-folder files', () => {
    const all = select('file:*').studies.flatMap((s) => s.files.map((f) => f.absolutePath));
    expect(all.some((p) => p.includes('/analysis/'))).toBe(false);
  });
});

describe('streaming a selection', () => {
  it('reads in one transaction and ends it when the reader stops early or the selector fails', () => {
    const db = fixture.db;
    for (const study of eachSelectedStudy(db, fixture.project, parseSelector('file:*'))) {
      expect(study.files.length).toBeGreaterThan(0);
      expect(db.inTransaction).toBe(true);
      break;
    }
    expect(db.inTransaction).toBe(false);
    expect(() => [...eachSelectedStudy(db, fixture.project, parseSelector('/elsewhere/x.nii'))]).toThrow();
    expect(db.inTransaction).toBe(false);
    expect([...eachSelectedStudy(db, fixture.project, parseSelector('P001 file:*'))].length).toBeGreaterThan(
      0,
    );
    expect(db.inTransaction).toBe(false);
  });
});
