import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addFiles } from '../add-files.js';
import { createBidsFixture } from '../layout/bids-fixture.js';
import { indexProject } from './index-project.js';
import { parseSelector } from '../../selection/parse-selector.js';
import { selectFiles } from '../../selection/run-selector.js';

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

  it("indexes the files beside a subject's sessions in its own container, left out of its studies", async () => {
    const fixture = await createBidsFixture();
    expect(
      studyFiles(fixture)
        .filter((r) => r.ref === '01#subject-level')
        .map((r) => r.path),
    ).toEqual(['sub-01_scans.tsv', 'sub-01_sessions.tsv']);
    const selection = selectFiles(fixture.catalog.db, fixture.project, parseSelector('01#subject-level'));
    expect(selection.studies.map((s) => s.ref)).toEqual(['01#subject-level']);
    expect(selection.studies[0]?.files.map((f) => f.absolutePath)).toContain(
      `${fixture.root}/sub-01/sub-01_sessions.tsv`,
    );
    // `*` and LATEST never pick it; the subject still has two studies.
    const all = selectFiles(fixture.catalog.db, fixture.project, parseSelector(['01#*']));
    expect(all.studies.map((s) => s.ref)).toEqual(['01#test', '01#retest']);
    fixture.catalog.close();
  });

  it('orders sessions by sessions.tsv acq_time, then naturally (test before retest, 2 before 10)', async () => {
    const fixture = await createBidsFixture();
    const pick = (selector: string) =>
      selectFiles(fixture.catalog.db, fixture.project, parseSelector(selector)).studies.map((s) => s.ref);
    expect(pick('01#OLDEST')).toEqual(['01#test']);
    expect(pick('01#LATEST')).toEqual(['01#retest']);
    expect(pick('03#OLDEST')).toEqual(['03#2']);
    expect(pick('03#LATEST')).toEqual(['03#10']);
    // A corrected sessions.tsv changes the order on the next rescan.
    writeFileSync(
      `${fixture.root}/sub-01/sub-01_sessions.tsv`,
      'session_id\tacq_time\nses-test\t2021-01-01T10:00:00\nses-retest\t2020-06-01T10:00:00\n',
    );
    await indexProject(fixture.catalog, fixture.project);
    expect(pick('01#LATEST')).toEqual(['01#test']);
    fixture.catalog.close();
  });
});
