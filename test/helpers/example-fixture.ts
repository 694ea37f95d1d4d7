import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertTracts } from '../../src/tracts/index.js';
import { writeTree } from './write-tree.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DATA = join(REPO, 'test-data');

/**
 * The files the CLI's and README's examples name, in `home` (their working folder, `~`): the
 * repository's `examples/`, a plain tree `data/stroke`, a BIDS dataset `data/bids/ds001`, DICOM exports
 * `incoming/scan-0042` and `anon-export`, a result file, tract files (dipy's real bundles) with images to
 * sample, and a selection recipe. The demo project itself is made by `cohort demo` before.
 */
export function writeExampleFixture(home: string): void {
  cpSync(join(REPO, 'examples'), join(home, 'examples'), { recursive: true });
  const nifti = join(DATA, 'nifti', 'anatomical.nii');
  for (const study of [
    'P001/20210314/t1/s001.nii',
    'P002/20210402/t1/s001.nii',
    'P003/20210517/t1/s001.nii',
  ]) {
    mkdirSync(join(home, 'data', 'stroke', study, '..'), { recursive: true });
    cpSync(nifti, join(home, 'data', 'stroke', study));
  }
  writeTree(join(home, 'data', 'bids', 'ds001'), {
    'dataset_description.json': JSON.stringify({ Name: 'ds001', BIDSVersion: '1.8.0' }),
    'participants.tsv': 'participant_id\nsub-01\n',
  });
  const anat = join(home, 'data', 'bids', 'ds001', 'sub-01', 'anat');
  mkdirSync(anat, { recursive: true });
  cpSync(join(DATA, 'nifti', 'standard.nii.gz'), join(anat, 'sub-01_T1w.nii.gz'));
  for (const folder of ['incoming/scan-0042', 'anon-export']) {
    mkdirSync(join(home, folder), { recursive: true });
    cpSync(join(DATA, 'dicom', 'philips_mprage.dcm'), join(home, folder, 'IM0001.dcm'));
  }
  cpSync(nifti, join(home, 'result.nii'));
  writeFileSync(join(home, 'measures.json'), JSON.stringify({ fa_mean: 0.43, volume: { gm: 512, wm: 430 } }));
  // A file made inside the demo project, for `cohort add` to register where it lies.
  const masks = join(home, '.cohort', 'demo', 'P001', '20201024', 'masks');
  mkdirSync(masks, { recursive: true });
  cpSync(nifti, join(masks, 'brain.nii'));
  mkdirSync(join(home, 'venv', 'bin'), { recursive: true });
  symlinkSync('/usr/bin/python3', join(home, 'venv', 'bin', 'python3'));

  cpSync(join(DATA, 'tracts', 'bundles', 'sub_1', 'AF_L.trk'), join(home, 'AF_L.trk'));
  convertTracts(join(home, 'AF_L.trk'), join(home, 'AF_L.tck'));
  cpSync(join(DATA, 'tracts', 'standard.tck'), join(home, 'wb.tck'));
  convertTracts(join(home, 'wb.tck'), join(home, 'bundle.trx'));
  for (const image of ['fa.nii.gz', 'md.nii.gz', 't1.nii.gz']) {
    cpSync(join(DATA, 'nifti', 'standard.nii.gz'), join(home, image));
  }
  cpSync(join(DATA, 'nifti', 'standard.nii.gz'), join(home, 'csf.nii.gz'));
  writeFileSync(
    join(home, 'cst-recipe.json'),
    JSON.stringify({
      rules: [
        { kind: 'include', sphere: [0, 0, 0, 20] },
        { kind: 'length', min: 1 },
      ],
    }),
  );
}
