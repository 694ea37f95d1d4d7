import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.js';
import { writeTree } from '../../../test/helpers/write-tree.js';
import { resolveConfig } from '../../config/resolve-config.js';
import { openCatalog, type Catalog } from '../catalog.js';
import { createProject, type Project } from '../project-store.js';
import { addTags } from '../tags.js';
import { indexProject } from './index-project.js';

const AWKWARD = [
  'P001/20200101/t1 mprage/s 001.nii',
  'P001/20200101/it\'s/quote"d.nii',
  'P001/20200101/$(touch pwned)/`x`.nii',
  'P002/20210505/Müller_T1/日本語.nii',
  `P002/20210505/long/${'n'.repeat(250)}.nii`,
  'P003/20190101/dwi/%literal_percent%.nii',
];

function setup(files: readonly string[] = AWKWARD): { catalog: Catalog; project: Project; root: string } {
  const dir = tempDir();
  const root = join(dir, 'root');
  writeTree(root, Object.fromEntries(files.map((f) => [f, `data of ${f}`])));
  const catalog = openCatalog(resolveConfig({ home: join(dir, 'home') }, {}));
  const project = createProject(catalog.db, { name: 'test', root, layout: 'folders' });
  return { catalog, project, root };
}

function paths(catalog: Catalog, present = 1): string[] {
  return catalog.db
    .prepare(
      `SELECT s.folder || '/' || f.path FROM files f JOIN studies s ON s.id = f.study_id WHERE f.present = ? ORDER BY 1`,
    )
    .pluck()
    .all(present) as string[];
}

describe('indexProject', () => {
  it('indexes every file, whatever its name, under the right subject and study', async () => {
    const { catalog, project } = setup();
    const result = await indexProject(catalog, project);
    expect(result.counts).toMatchObject({ subjectsAdded: 3, studiesAdded: 3, filesAdded: AWKWARD.length });
    expect(paths(catalog)).toEqual([...AWKWARD].sort());
    const studies = catalog.db
      .prepare(
        `SELECT p.pid || '#' || s.sid FROM studies s JOIN subjects p ON p.id = s.subject_id ORDER BY 1`,
      )
      .pluck()
      .all();
    expect(studies).toEqual(['P001#20200101', 'P002#20210505', 'P003#20190101']);
    catalog.close();
  });

  it('rescans incrementally: unchanged, changed, removed (tags kept), reappeared', async () => {
    const { catalog, project, root } = setup();
    await indexProject(catalog, project);
    const again = await indexProject(catalog, project);
    expect(again.counts).toMatchObject({
      filesAdded: 0,
      filesChanged: 0,
      filesRemoved: 0,
      filesUnchanged: AWKWARD.length,
    });

    const gone = join(root, 'P003/20190101/dwi/%literal_percent%.nii');
    const goneId = Number(
      catalog.db.prepare(`SELECT id FROM files WHERE path = 'dwi/%literal_percent%.nii'`).pluck().get(),
    );
    addTags(catalog.db, 'file', [goneId], ['qc_ok']);
    renameSync(gone, `${gone}.bak`);
    writeFileSync(join(root, 'P001/20200101/t1 mprage/s 001.nii'), 'changed and longer content');
    const third = await indexProject(catalog, project);
    expect(third.counts).toMatchObject({ filesAdded: 1, filesChanged: 1, filesRemoved: 1 });
    expect(paths(catalog, 0)).toEqual(['P003/20190101/dwi/%literal_percent%.nii']);

    renameSync(`${gone}.bak`, gone);
    const fourth = await indexProject(catalog, project);
    expect(fourth.counts.filesChanged).toBe(1);
    expect(paths(catalog, 0)).toEqual(['P003/20190101/dwi/%literal_percent%.nii.bak']);
    expect(catalog.db.prepare('SELECT tag FROM file_tags WHERE file_id = ?').pluck().all(goneId)).toEqual([
      'qc_ok',
    ]);
    catalog.close();
  });

  it('marks removed studies and subjects missing instead of deleting them', async () => {
    const { catalog, project, root } = setup();
    await indexProject(catalog, project);
    rmSync(join(root, 'P003'), { recursive: true });
    rmSync(join(root, 'P002/20210505'), { recursive: true });
    mkdirSync(join(root, 'P002/20220101'));
    const result = await indexProject(catalog, project);
    expect(result.counts).toMatchObject({ subjectsRemoved: 1, studiesRemoved: 2, studiesAdded: 1 });
    expect(catalog.db.prepare('SELECT pid FROM subjects WHERE present = 0').pluck().all()).toEqual(['P003']);
    expect(catalog.db.prepare('SELECT count(*) FROM files WHERE present = 0').pluck().get()).toBe(3);
    catalog.close();
  });

  it('follows symbolic links only inside the project root, and survives loops', async () => {
    const { catalog, project, root } = setup(['P001/20200101/t1/a.nii']);
    const outside = join(root, '..', 'outside');
    writeTree(outside, { 'secret.nii': 'x', 'dir/secret2.nii': 'y' });
    symlinkSync(join(outside, 'secret.nii'), join(root, 'P001/20200101/t1/link-out.nii'));
    symlinkSync(join(outside, 'dir'), join(root, 'P001/20200101/dir-out'));
    symlinkSync(join(root, 'P001/20200101/t1/a.nii'), join(root, 'P001/20200101/t1/link-in.nii'));
    symlinkSync(join(root, 'P001/20200101'), join(root, 'P001/20200101/t1/loop'));
    symlinkSync(outside, join(root, 'P009'));
    const result = await indexProject(catalog, project);
    expect(paths(catalog)).toEqual(['P001/20200101/t1/a.nii', 'P001/20200101/t1/link-in.nii']);
    expect(result.warnings.map((w) => `${w.problem} ${w.path}`).sort()).toEqual([
      'symlink-loop P001/20200101/t1/loop',
      'symlink-outside-root P001/20200101/dir-out',
      'symlink-outside-root P001/20200101/t1/link-out.nii',
      'symlink-outside-root P009',
    ]);
    catalog.close();
  });

  it('gives the same catalog from scan threads as in-process', async () => {
    const files = Array.from(
      { length: 120 },
      (_, i) => `S${String(i).padStart(3, '0')}/2020010${i % 3}/t1/s${i}.nii`,
    );
    const one = setup(files);
    const two = setup(files);
    await indexProject(one.catalog, one.project, { threads: 1 });
    const threaded = await indexProject(two.catalog, two.project, { threads: 2 });
    expect(threaded.counts.filesAdded).toBe(120);
    expect(paths(two.catalog)).toEqual(paths(one.catalog));
    const again = await indexProject(two.catalog, two.project, { threads: 2 });
    expect(again.counts).toMatchObject({ filesAdded: 0, filesUnchanged: 120 });
    one.catalog.close();
    two.catalog.close();
  });

  it('indexes analysis folders as ANALYSIS#name, not as subjects', async () => {
    const { catalog, project } = setup([
      'P001/20200101/t1/a.nii',
      'analysis/templates/mni.nii',
      'analysis/models/m1/model.json',
    ]);
    await indexProject(catalog, project);
    expect(catalog.db.prepare('SELECT pid FROM subjects').pluck().all()).toEqual(['P001']);
    const rows = catalog.db
      .prepare('SELECT a.name, f.path FROM files f JOIN analyses a ON a.id = f.analysis_id ORDER BY 1')
      .all();
    expect(rows).toEqual([
      { name: 'models', path: 'm1/model.json' },
      { name: 'templates', path: 'mni.nii' },
    ]);
    catalog.close();
  });

  it('understands BIDS: subjects, sessions (or none) and file entities', async () => {
    const dir = tempDir();
    const root = join(dir, 'bids');
    writeTree(root, {
      'dataset_description.json': '{}',
      'participants.tsv': 'participant_id\n',
      'sub-01/ses-01/anat/sub-01_ses-01_T1w.nii.gz': 'x',
      'sub-01/ses-02/func/sub-01_ses-02_task-rest_run-1_bold.nii.gz': 'x',
      'sub-02/anat/sub-02_T1w.nii.gz': 'x',
      'derivatives/fmriprep/sub-01/x.nii': 'x',
    });
    const catalog = openCatalog(resolveConfig({ home: join(dir, 'home') }, {}));
    const project = createProject(catalog.db, { name: 'bids', root, layout: 'bids' });
    await indexProject(catalog, project);
    const rows = catalog.db
      .prepare(
        `SELECT p.pid, s.sid, f.path, f.entities FROM files f JOIN studies s ON s.id = f.study_id JOIN subjects p ON p.id = s.subject_id ORDER BY 1, 2`,
      )
      .all() as Array<{ pid: string; sid: string; path: string; entities: string }>;
    expect(rows.map((r) => `${r.pid}#${r.sid}/${r.path}`)).toEqual([
      '01#01/anat/sub-01_ses-01_T1w.nii.gz',
      '01#02/func/sub-01_ses-02_task-rest_run-1_bold.nii.gz',
      // A derivative beside the sessions: the subject's own container.
      '01#subject-level/derivatives/fmriprep/x.nii',
      '02#nosession/anat/sub-02_T1w.nii.gz',
    ]);
    expect(JSON.parse(rows.find((r) => r.sid === '02')?.entities ?? '{}')).toEqual({
      sub: '01',
      ses: '02',
      task: 'rest',
      run: '1',
      suffix: 'bold',
      extension: '.nii.gz',
      datatype: 'func',
    });
    catalog.close();
  });
});
