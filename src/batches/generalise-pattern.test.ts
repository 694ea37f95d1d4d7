import { describe, expect, it } from 'vitest';
import type { StudyRef } from '../selection/selection.js';
import { createSelectionFixture, type FixtureSubject } from '../selection/test-fixture.js';
import { generalisations, generaliseUntilResolved } from './generalise-pattern.js';

describe('generalisations', () => {
  it('goes from the picked file to the most general pattern, step by step', () => {
    expect(generalisations('t1_mprage_sag/s001.nii')).toEqual([
      't1_mprage_sag/s001.nii',
      't1_mprage_sag/s00_.nii',
      't1_mprage_sag/s0__.nii',
      't1_mprage*/s0__.nii',
      't1*/s0__.nii',
      't1*/*.nii',
      '*/*.nii',
    ]);
  });

  it('keeps BIDS suffixes and names with digits, and drops series numbers of folders', () => {
    expect(generalisations('anat/sub-01_T1w.nii.gz')).toEqual([
      'anat/sub-01_T1w.nii.gz',
      'anat/sub-0__T1w.nii.gz',
      'anat/*_T1w.nii.gz',
      'anat/*.nii.gz',
      '*/*.nii.gz',
    ]);
    expect(generalisations('0005_t1_mprage/run-7.nii')).toEqual([
      '0005_t1_mprage/run-7.nii',
      '0005_t1_mprage/run-_.nii',
      '*_t1_mprage/run-_.nii',
      '*_t1*/run-_.nii',
      '*_t1*/*.nii',
      '*/*.nii',
    ]);
  });

  it('handles a file without folder and a name without extension', () => {
    expect(generalisations('notes.txt')).toEqual(['notes.txt', '*.txt']);
    expect(generalisations('a/README')).toEqual(['a/README', 'a/*', '*/*']);
  });
});

describe('generaliseUntilResolved', () => {
  const subjects: readonly FixtureSubject[] = [
    { pid: 'A', studies: [{ sid: '1', files: [{ path: 't1_mprage_sag/s001.nii' }] }] },
    { pid: 'B', studies: [{ sid: '1', files: [{ path: 't1_mprage_sag/s017.nii' }] }] },
    { pid: 'C', studies: [{ sid: '1', files: [{ path: 't1_tra/s002.nii' }] }] },
    { pid: 'D', studies: [{ sid: '1', files: [{ path: 'notes/readme.txt' }] }] },
  ];
  const fixture = createSelectionFixture(subjects);
  const study = (pid: string): StudyRef => ({
    studyId: fixture.studyId(`${pid}#1`),
    subjectId: 0,
    pid,
    sid: '1',
    ref: `${pid}#1`,
    folder: `/x/${pid}/1`,
  });

  it('returns the first generalisation found in every study', () => {
    const result = generaliseUntilResolved(
      fixture.db,
      fixture.project,
      ['A', 'B', 'C'].map(study),
      't1_mprage_sag/s001.nii',
    );
    expect(result).toEqual({ pattern: 't1*/s0__.nii', complete: true, missing: [], tried: 5 });
  });

  it('returns the pattern found in most studies with those still missing', () => {
    const result = generaliseUntilResolved(
      fixture.db,
      fixture.project,
      ['A', 'B', 'D'].map(study),
      't1_mprage_sag/s001.nii',
    );
    expect(result.pattern).toBe('t1_mprage_sag/s0__.nii');
    expect(result.complete).toBe(false);
    expect(result.missing.map((s) => s.ref)).toEqual(['D#1']);
    // Every step was tried; later ones found no more studies, so the most specific of the best wins.
    expect(result.tried).toBe(7);
  });
});
