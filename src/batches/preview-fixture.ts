import { createSelectionFixture, FIXTURE_ROOT, type FixtureSubject } from '../selection/test-fixture.js';
import type { ItemResolution } from './batch-resolution.js';

/**
 * The catalog the resolution tests run on: P001 with three present studies (and an absent one) holding
 * T1 series under different names, P002 with one study in upper case, P003 with no T1 at all.
 */
export const SUBJECTS: readonly FixtureSubject[] = [
  {
    pid: 'P001',
    studies: [
      {
        sid: '20190101',
        tags: ['baseline'],
        files: [
          { path: 't1_mprage_sag/s002.nii' },
          { path: 't1_mprage_sag/s001.nii' },
          { path: 'dwi/d002.nii' },
          { path: 'dwi/d001.nii' },
        ],
      },
      { sid: '20200101', tags: ['followup'], files: [{ path: 't1_mprage_tra/s003.nii' }] },
      { sid: '20210101', files: [{ path: 't1_mprage_sag/s001.nii' }] },
      { sid: '20220101', present: false, files: [{ path: 't1_mprage_sag/s001.nii' }] },
    ],
  },
  {
    pid: 'P002',
    studies: [{ sid: '20200505', tags: ['baseline'], files: [{ path: 'T1_MPRAGE_SAG/S004.NII' }] }],
  },
  { pid: 'P003', studies: [{ sid: '20200101', files: [{ path: 'flair/f.nii' }] }] },
];

/** A fresh in-memory catalog of {@link SUBJECTS}. */
export function createPreviewFixture(): ReturnType<typeof createSelectionFixture> {
  return createSelectionFixture(SUBJECTS);
}

/** The absolute path of a file of a fixture study: `at('P001#20190101', 'dwi/d001.nii')`. */
export function at(ref: string, path: string): string {
  return `${FIXTURE_ROOT}/${ref.replace('#', '/')}/${path}`;
}

/** The item of a preview by key, failing the test when absent. */
export function item(items: readonly ItemResolution[], key: string): ItemResolution {
  const found = items.find((i) => i.item === key);
  if (found === undefined) throw new Error(`no item ${key}`);
  return found;
}
