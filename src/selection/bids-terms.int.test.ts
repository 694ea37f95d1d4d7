import { describe, expect, it } from 'vitest';
import { resolveBatch } from '../batches/resolve-batch.js';
import { item } from '../batches/preview-fixture.js';
import { listFiles } from '../browse/list-files.js';
import { createBidsFixture, type BidsFixture } from '../catalog/layout/bids-fixture.js';
import { addTags } from '../catalog/tags.js';
import { parseFilter } from './parse-filter.js';
import { parseSelector } from './parse-selector.js';
import { runFilter } from './run-filter.js';
import { selectFiles } from './run-selector.js';

const PAGE = { limit: 100, offset: 0 };

function fileId(f: BidsFixture, path: string): number {
  return f.catalog.db.prepare('SELECT id FROM files WHERE path = ?').pluck().get(path) as number;
}

function selected(f: BidsFixture, terms: readonly string[]): string[] {
  return selectFiles(f.catalog.db, f.project, parseSelector(terms)).studies.flatMap((s) =>
    s.files.map((file) => `${s.ref}/${file.path}`),
  );
}

describe('entities and tags as file terms', () => {
  it('selects files by entities (KEY=VALUE), ANDed with patterns, wildcards allowed', async () => {
    const f = await createBidsFixture();
    expect(selected(f, ['*', 'task=rest', 'extension=.nii.gz'])).toEqual([
      '01#test/func/sub-01_ses-test_task-rest_bold.nii.gz',
    ]);
    expect(selected(f, ['*', 'acq=mp*', 'run=2'])).toEqual([
      '01#retest/anat/sub-01_ses-retest_acq-mprage_run-2_T1w.nii.gz',
    ]);
    expect(selected(f, ['02#*', 'pipeline=fmriprep', 'suffix=mask', 'extension=.nii*'])).toEqual([
      '02#nosession/derivatives/fmriprep/anat/sub-02_desc-brain_mask.nii.gz',
    ]);
    f.catalog.close();
  });

  it('filters studies by entity in the filter bar, and lists only the matching files', async () => {
    const f = await createBidsFixture();
    expect(runFilter(f.catalog.db, f.project, parseFilter('acq=mprage')).map((s) => s.ref)).toEqual([
      '01#retest',
    ]);
    const page = listFiles(f.catalog.db, f.project, 'task=rest', undefined, PAGE);
    expect(page.items.map((r) => r.path)).toEqual([
      'func/sub-01_ses-test_task-rest_bold.json',
      'func/sub-01_ses-test_task-rest_bold.nii.gz',
    ]);
    expect(page.items[1]?.entities).toMatchObject({ sub: '01', ses: 'test', task: 'rest', suffix: 'bold' });
    f.catalog.close();
  });

  it('lists only the tagged files for FTAG, with their tags, not every file of their study', async () => {
    const f = await createBidsFixture();
    addTags(f.catalog.db, 'file', [fileId(f, 'anat/sub-01_ses-test_T1w.nii.gz')], ['bad']);
    const page = listFiles(f.catalog.db, f.project, 'FTAG:bad', undefined, PAGE);
    expect(page.items.map((r) => [r.ref, r.path, r.tags])).toEqual([
      ['01#test', 'anat/sub-01_ses-test_T1w.nii.gz', ['bad']],
    ]);
    expect(page.total).toBe(1);
    // A study-level term in the same group keeps the study's files whole.
    expect(listFiles(f.catalog.db, f.project, 'FTAG:bad 02', undefined, PAGE).items.length).toBeGreaterThan(
      1,
    );
    f.catalog.close();
  });

  it('takes tag:T and KEY=VALUE in a FILE argument, alone or with patterns', async () => {
    const f = await createBidsFixture();
    addTags(
      f.catalog.db,
      'file',
      [fileId(f, 'derivatives/fmriprep/anat/sub-02_desc-brain_mask.nii.gz')],
      ['brainmask'],
    );
    const resolution = resolveBatch(
      f.catalog.db,
      f.project,
      {
        name: 'b',
        level: 'study',
        jobs: [
          {
            name: 'j',
            library: 'test/j',
            args: [
              { type: 'FILE', name: 'f1', patterns: ['tag:brainmask'], ref: { kind: 'current' } },
              {
                type: 'FILE',
                name: 'f2',
                patterns: ['suffix=T1w', 'datatype=anat'],
                ref: { kind: 'current' },
              },
            ],
          },
        ],
      },
      { selector: ['02#*', '01#test'] },
    );
    expect(item(resolution.items, '02#nosession').jobs[0]?.args).toEqual([
      expect.objectContaining({
        ok: true,
        paths: [`${f.root}/derivatives/fmriprep/sub-02/anat/sub-02_desc-brain_mask.nii.gz`],
      }),
      expect.objectContaining({ ok: true, paths: [`${f.root}/sub-02/anat/sub-02_T1w.nii.gz`] }),
    ]);
    expect(item(resolution.items, '01#test').problems[0]).toMatch(/no file matches tag:brainmask in 01#test/);
    f.catalog.close();
  });
});
