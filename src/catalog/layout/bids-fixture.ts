import { join } from 'node:path';
import { tempDir } from '../../../test/helpers/temp-dir.js';
import { writeTree } from '../../../test/helpers/write-tree.js';
import { resolveConfig } from '../../config/resolve-config.js';
import { openCatalog, type Catalog } from '../catalog.js';
import { indexProject } from '../indexer/index-project.js';
import { createProject, type Project } from '../project-store.js';

/**
 * A BIDS dataset with every case the BIDS support must handle: sessions whose labels sort wrongly as
 * text (`test` before `retest` by acq_time, `2` before `10`), subject-level files beside sessions,
 * sidecars inherited from the dataset, subject and session levels and overridden beside the file,
 * entities (`acq`, `run`, `task`), derivatives with and without sessions, a CTF `.ds` folder and an
 * empty-room subject.
 */
export const BIDS_TREE: Readonly<Record<string, string>> = {
  'dataset_description.json': '{"Name":"fixture","BIDSVersion":"1.9.0"}',
  'participants.tsv': 'participant_id\nsub-01\nsub-02\nsub-03\n',
  'dwi.bval': '0 1000 1000',
  'dwi.bvec': '0 1 0\n0 0 1\n0 0 0',
  'task-rest_bold.json': '{"RepetitionTime":2}',
  'sub-01/sub-01_sessions.tsv':
    'session_id\tacq_time\nses-test\t2020-01-01T10:00:00\nses-retest\t2020-06-01T10:00:00\n',
  'sub-01/sub-01_scans.tsv': 'filename\tacq_time\n',
  'sub-01/ses-test/anat/sub-01_ses-test_T1w.nii.gz': 't1',
  'sub-01/ses-test/dwi/sub-01_ses-test_dwi.nii.gz': 'dwi',
  'sub-01/ses-test/func/sub-01_ses-test_task-rest_bold.nii.gz': 'bold',
  'sub-01/ses-test/func/sub-01_ses-test_task-rest_bold.json': '{"SliceTiming":[0,1]}',
  'sub-01/ses-retest/anat/sub-01_ses-retest_T1w.nii.gz': 't1',
  'sub-01/ses-retest/anat/sub-01_ses-retest_acq-mprage_run-2_T1w.nii.gz': 't1 run 2',
  'sub-01/ses-retest/dwi/sub-01_ses-retest_dwi.nii.gz': 'dwi',
  'sub-01/ses-retest/dwi/sub-01_ses-retest_dwi.bval': '0 2000 2000',
  'sub-02/anat/sub-02_T1w.nii.gz': 't1',
  'sub-02/dwi/sub-02_dwi.nii.gz': 'dwi',
  'sub-02/sub-02_dwi.bvec': '1 0 0\n0 1 0\n0 0 1',
  'sub-03/ses-2/anat/sub-03_ses-2_T1w.nii.gz': 't1',
  'sub-03/ses-10/anat/sub-03_ses-10_T1w.nii.gz': 't1',
  'sub-emptyroom/ses-20200101/meg/sub-emptyroom_ses-20200101_task-noise_meg.ds/noise.meg4': 'meg',
  'sub-emptyroom/ses-20200101/meg/sub-emptyroom_ses-20200101_task-noise_meg.ds/noise.res4': 'meg',
  'derivatives/fmriprep/dataset_description.json': '{"Name":"fmriprep","DatasetType":"derivative"}',
  'derivatives/fmriprep/sub-01/ses-test/anat/sub-01_ses-test_desc-brain_mask.nii.gz': 'mask',
  'derivatives/fmriprep/sub-02/anat/sub-02_desc-brain_mask.nii.gz': 'mask',
  'derivatives/fmriprep/sub-02/anat/sub-02_desc-brain_mask.json': '{"Type":"Brain"}',
  'code/convert.sh': 'echo',
};

export interface BidsFixture {
  readonly catalog: Catalog;
  readonly project: Project;
  readonly root: string;
  readonly home: string;
}

/** Writes {@link BIDS_TREE} (plus `extra` files) to a fresh folder, registers it as a BIDS project and indexes it. */
export async function createBidsFixture(extra: Readonly<Record<string, string>> = {}): Promise<BidsFixture> {
  const dir = tempDir();
  const root = join(dir, 'bids');
  writeTree(root, { ...BIDS_TREE, ...extra });
  const home = join(dir, 'home');
  const catalog = openCatalog(resolveConfig({ home }, {}));
  const project = createProject(catalog.db, { name: 'bids', root, layout: 'bids' });
  await indexProject(catalog, project);
  return { catalog, project, root: project.root, home };
}
