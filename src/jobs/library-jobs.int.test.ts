import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCommand } from './build-command.js';
import type { ResolvedArguments } from './task-command.js';
import {
  BUNDLED_LIBRARY_DIR,
  libraryJob,
  libraryJobDefinition,
  loadLibrary,
  type LibraryJob,
} from './library.js';
import { HOSTILE_NAME, pwnedFiles, requireTools, runTask, tempDir, testData } from './test-fixture.js';

// Each bundled library job on real data from test-data/ (scripts/install-test-deps.sh), in a study
// folder whose name would break any command line built as text.

let library: LibraryJob[];
let study: string;

beforeAll(() => {
  requireTools(
    'dcm2niix',
    'mrinfo',
    'mrstats',
    'mrfilter',
    'mrthreshold',
    'maskfilter',
    'dwi2mask',
    'dwi2tensor',
  );
  library = loadLibrary([BUNDLED_LIBRARY_DIR]);
  study = join(tempDir('library-jobs'), `study ${HOSTILE_NAME}`);
  mkdirSync(study);
});

/** Copies `test-data/nifti/<base><extension>` into the study under a hostile name. */
function input(base: string, extension: string): string {
  const target = join(study, `${HOSTILE_NAME} ${base}${extension}`);
  copyFileSync(testData('nifti', `${base}${extension}`), target);
  return target;
}

async function run(id: string, values: ResolvedArguments): Promise<void> {
  const workDir = join(study, '..', `work ${id.replace('/', '-')}`);
  const command = buildCommand(libraryJobDefinition(libraryJob(id, library)), values, workDir, { library });
  const result = await runTask(command, workDir);
  expect(result.code, result.stderr).toBe(0);
  expect(pwnedFiles(join(study, '..'))).toEqual([]);
}

/** `mrstats` of an image: [min, max, mean] over all voxels. */
function stats(image: string): [number, number, number] {
  const out = spawnSync(
    'mrstats',
    ['-quiet', '-allvolumes', '-output', 'min', '-output', 'max', '-output', 'mean', image],
    {
      encoding: 'utf8',
    },
  );
  expect(out.status, out.stderr).toBe(0);
  const [min = NaN, max = NaN, mean = NaN] = out.stdout.trim().split(/\s+/).map(Number);
  return [min, max, mean];
}

function size(image: string): string {
  return spawnSync('mrinfo', ['-quiet', '-size', image], { encoding: 'utf8' }).stdout.trim();
}

describe('bundled library jobs on real data', () => {
  it('dicom/dcm2niix converts the series in the folder of the first input', async () => {
    const folder = join(study, `dicom ${HOSTILE_NAME}`);
    mkdirSync(folder);
    for (const name of ['0.dcm', '1.dcm']) copyFileSync(testData('dicom', name), join(folder, name));
    const out = join(study, `nifti ${HOSTILE_NAME}`);
    await run('dicom/dcm2niix', {
      f1: [join(folder, '0.dcm'), join(folder, '1.dcm')],
      p1: out,
      s1: '%p_%s',
      compress: 'n',
    });
    const files = readdirSync(out).sort();
    expect(files).toEqual(['CBU_DTI_64D_1A_12.json', 'CBU_DTI_64D_1A_12.nii']);
    expect(size(join(out, 'CBU_DTI_64D_1A_12.nii'))).toBe('36 36 48 2');
  });

  it('image/smooth smooths without changing the grid', async () => {
    const source = input('anatomical', '.nii');
    const out = join(study, `smooth ${HOSTILE_NAME}`, `smoothed ${HOSTILE_NAME}.nii`);
    await run('image/smooth', { f1: [source], o1: out, n1: 3 });
    expect(size(out)).toBe(size(source));
    const [inMin, inMax, inMean] = stats(source);
    const [outMin, outMax, outMean] = stats(out);
    // Smoothing narrows the range and keeps the mean (up to the edges).
    expect(outMin).toBeGreaterThan(inMin);
    expect(outMax).toBeLessThan(inMax);
    expect(Math.abs(outMean - inMean) / inMean).toBeLessThan(0.1);
  });

  it('image/brain-mask gives a binary mask of a plausible size', async () => {
    const source = input('S0_10slices', '.nii.gz');
    const out = join(study, `masks ${HOSTILE_NAME}`, 'brain_mask.nii');
    await run('image/brain-mask', { f1: [source], o1: out, n1: 100 });
    const [min, max, mean] = stats(out);
    expect([min, max]).toEqual([0, 1]);
    // The brain fills about a quarter of this 128x128 field of view.
    expect(mean).toBeGreaterThan(0.15);
    expect(mean).toBeLessThan(0.4);
  });

  it('diffusion/dwi-mask and diffusion/dti-fa fit a tensor: FA within [0, 1]', async () => {
    // small_25 from dipy: real DWI (10x8x2, 25 directions); small_64D's .bvec holds NaN for b=0.
    const dwi = input('small_25', '.nii.gz');
    const bvec = input('small_25', '.bvec');
    const bval = input('small_25', '.bval');
    const mask = join(study, `dti ${HOSTILE_NAME}`, 'mask.nii');
    await run('diffusion/dwi-mask', { f1: [dwi], f2: [bvec], f3: [bval], o1: mask });
    const [, maskMax, maskMean] = stats(mask);
    expect(maskMax).toBe(1);
    expect(maskMean).toBeGreaterThan(0.3);

    const fa = join(study, `dti ${HOSTILE_NAME}`, `fa ${HOSTILE_NAME}.nii`);
    await run('diffusion/dti-fa', { f1: [dwi], f2: [bvec], f3: [bval], o1: fa });
    expect(size(fa)).toBe('10 8 2');
    const [min, max, mean] = stats(fa);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(mean).toBeGreaterThan(0.1);
    expect(existsSync(join(study, '..', 'work diffusion-dti-fa', 'tensor.mif'))).toBe(true);
  });

  it('diffusion/dti-fa fails with the reason when the FA map holds NaN (issue 10 item 15)', async () => {
    // small_64D's .bvec holds NaN for its b=0 volume: the tensor fit gives NaN FA inside the mask.
    const dwi = input('small_64D', '.nii');
    const bvec = input('small_64D', '.bvec');
    const bval = input('small_64D', '.bval');
    const fa = join(study, 'dti nan', 'fa.nii');
    const workDir = join(study, '..', 'work dti-fa-nan');
    const job = libraryJobDefinition(libraryJob('diffusion/dti-fa', library));
    const command = buildCommand(job, { f1: [dwi], f2: [bvec], f3: [bval], o1: fa }, workDir, { library });
    const result = await runTask(command, workDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /output check failed: the FA map has NaN voxels .*\(got [1-9]\d*, expected 0\)/,
    );
  });

  it('fails a library job whose command wrote no output', async () => {
    const dir = tempDir('library-no-output');
    const noop = loadLibrary([BUNDLED_LIBRARY_DIR]).find((j) => j.id === 'image/smooth');
    expect(noop).toBeDefined();
    const entry = { ...(noop as LibraryJob), commands: [['true']], requires: [] };
    const out = join(dir, 'never.nii');
    const command = buildCommand(
      libraryJobDefinition(entry),
      Object.fromEntries(
        entry.args.map((a) => [
          a.name,
          a.type === 'FILE' ? [join(dir, 'in.nii')] : a.type === 'OUT' ? out : 1,
        ]),
      ),
      join(dir, 'work'),
      { library: [entry] },
    );
    const result = await runTask(command, join(dir, 'work'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`the job ended without writing its output ${out}`);
  });
});
