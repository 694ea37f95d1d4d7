import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addFiles } from '../add-files.js';
import { createBidsFixture } from '../layout/bids-fixture.js';
import { indexProject } from './index-project.js';

type Row = { ref: string; path: string; entities: string | null };

function studyFiles(fixture: Awaited<ReturnType<typeof createBidsFixture>>): Row[] {
  return fixture.catalog.db
    .prepare(
      `SELECT p.pid || '#' || s.sid AS ref, f.path, f.entities FROM files f
       JOIN studies s ON s.id = f.study_id JOIN subjects p ON p.id = s.subject_id
       WHERE f.present = 1 ORDER BY 1, 2`,
    )
    .all() as Row[];
}

describe('indexing a BIDS dataset', () => {
  it('indexes derivatives with their study, their entities and the pipeline', async () => {
    const fixture = await createBidsFixture();
    const rows = studyFiles(fixture);
    const mask = rows.find(
      (r) => r.path === 'derivatives/fmriprep/anat/sub-01_ses-test_desc-brain_mask.nii.gz',
    );
    expect(mask?.ref).toBe('01#test');
    expect(JSON.parse(mask?.entities ?? 'null')).toEqual({
      sub: '01',
      ses: 'test',
      desc: 'brain',
      suffix: 'mask',
      extension: '.nii.gz',
      datatype: 'anat',
      pipeline: 'fmriprep',
    });
    expect(rows.filter((r) => r.ref === '02#nosession').map((r) => r.path)).toContain(
      'derivatives/fmriprep/anat/sub-02_desc-brain_mask.nii.gz',
    );
    // derivatives/ and code/ are no subjects.
    expect(new Set(rows.map((r) => r.ref.split('#')[0]))).toEqual(new Set(['01', '02', '03', 'emptyroom']));
    fixture.catalog.close();
  });

  it("keeps a pipeline folder's own files (not sub-*) in its analysis folder, ANALYSIS#<pipeline>", async () => {
    const fixture = await createBidsFixture({ 'derivatives/fmriprep/group/template.nii.gz': 'tpl' });
    const analysis = fixture.catalog.db
      .prepare(
        `SELECT a.name, f.path FROM files f JOIN analyses a ON a.id = f.analysis_id WHERE f.present = 1 ORDER BY 2`,
      )
      .all();
    expect(analysis).toEqual([
      { name: 'fmriprep', path: 'dataset_description.json' },
      { name: 'fmriprep', path: 'group/template.nii.gz' },
    ]);
    expect(fixture.project.analysisFolder).toBe('derivatives');
    fixture.catalog.close();
  });

  it("gives files inside a CTF .ds folder the meg datatype and the folder's entities", async () => {
    const fixture = await createBidsFixture();
    const meg = studyFiles(fixture).filter((r) => r.ref === 'emptyroom#20200101');
    expect(meg.map((r) => JSON.parse(r.entities ?? 'null') as Record<string, string>)).toEqual([
      expect.objectContaining({
        sub: 'emptyroom',
        task: 'noise',
        suffix: 'meg',
        extension: '.ds',
        datatype: 'meg',
      }),
      expect.objectContaining({ datatype: 'meg' }),
    ]);
    fixture.catalog.close();
  });

  it('registers a file written into derivatives/<pipeline>/sub-*/ with its study, as a rescan would', async () => {
    const fixture = await createBidsFixture();
    const path = `${fixture.root}/derivatives/fmriprep/sub-01/ses-retest/anat/sub-01_ses-retest_desc-brain_mask.nii.gz`;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'mask');
    const [result] = addFiles(fixture.catalog, fixture.project, [path], { tags: ['brainmask'] });
    expect(result).toMatchObject({ ok: true, path });
    expect(studyFiles(fixture)).toContainEqual(
      expect.objectContaining({
        ref: '01#retest',
        path: 'derivatives/fmriprep/anat/sub-01_ses-retest_desc-brain_mask.nii.gz',
      }),
    );
    const again = await indexProject(fixture.catalog, fixture.project);
    expect(again.counts).toMatchObject({ filesAdded: 0, filesRemoved: 0, filesChanged: 0 });
    fixture.catalog.close();
  });
});
