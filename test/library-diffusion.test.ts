import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_NAME, requireTools, testData } from '../src/jobs/test-fixture.js';
import { fileDir, parseMatrix, pythonJson, runLibraryJob, tool } from './helpers/library-task.js';

// The diffusion, tractography and connectome jobs of library/ chained on dipy's small_64D (a real
// 10x10x10 DWI, 2 mm, 64 directions at b=2000 plus a b=0), in folders whose names would break any
// command line built as text. Few streamlines and dwi2response's quick `fa` algorithm keep it short.

// The machine running the tests may be shared and loaded: generous limits for real tools.
const FIXTURE_TIMEOUT_MS = 300_000;

let root: string;
let study: string;
let dwi: string;
let bvec: string;
let bval: string;

beforeAll(() => {
  requireTools('dwidenoise', 'mrdegibbs', 'dwi2mask', 'dwi2response', 'dwi2fod', 'tckgen', 'tck2connectome');
  root = fileDir('cohort-diffusion-');
  study = join(root, `study ${HOSTILE_NAME}`);
  mkdirSync(study);
  dwi = join(study, `dwi ${HOSTILE_NAME}.nii`);
  copyFileSync(testData('nifti', 'small_64D.nii'), dwi);
  bval = join(study, `dwi ${HOSTILE_NAME}.bval`);
  copyFileSync(testData('nifti', 'small_64D.bval'), bval);
  // dipy ships this .bvec one direction per line with NaN for the b=0 volume; FSL's layout is three
  // rows and MRtrix refuses NaN, so the fixture is rewritten (0 for the b=0 direction, transposed).
  const rows = parseMatrix(readFileSync(testData('nifti', 'small_64D.bvec'), 'utf8').replaceAll('nan', '0'));
  bvec = join(study, `dwi ${HOSTILE_NAME}.bvec`);
  writeFileSync(bvec, [0, 1, 2].map((axis) => rows.map((row) => row[axis]).join(' ')).join('\n') + '\n');
}, FIXTURE_TIMEOUT_MS);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const out = (...parts: string[]): string => join(study, ...parts);
const work = (name: string): string => join(root, `work ${name}`);
const info = (option: string, image: string): string => tool('mrinfo', '-quiet', option, image).trim();

/** [mean, std, min, max] of an image over all voxels and volumes. */
function stats(image: string): number[] {
  return tool(
    'mrstats',
    '-quiet',
    '-allvolumes',
    image,
    '-output',
    'mean',
    '-output',
    'std',
    '-output',
    'min',
    '-output',
    'max',
  )
    .trim()
    .split(/\s+/)
    .map(Number);
}

describe('diffusion preprocessing to a connectome', { timeout: 180_000 }, () => {
  const preprocessed = (): string => out('dwi', `preprocessed ${HOSTILE_NAME}.nii.gz`);
  const fa = (): string => out('dti', 'fa.nii.gz');
  const fod = (): string => out('dwi', 'wm fod.mif');
  const mask = (): string => out('dwi', 'mask.nii.gz');
  const tracks = (): string => out('tracts', `whole brain ${HOSTILE_NAME}.tck`);

  it('diffusion/preprocess denoises and unrings on the same grid', async () => {
    const noise = out('dwi', 'noise.nii.gz');
    await runLibraryJob(
      'diffusion/preprocess',
      { f1: [dwi], o1: preprocessed(), o2: noise },
      work('preprocess'),
    );
    expect(info('-size', preprocessed())).toBe('10 10 10 65');
    expect(info('-datatype', preprocessed())).toBe('Float32LE');
    const residual = join(root, 'residual.mif');
    tool('mrcalc', '-quiet', dwi, preprocessed(), '-sub', residual);
    const [signal = NaN] = stats(dwi);
    const [, residualStd = NaN] = stats(residual);
    const [noiseMean = NaN, , noiseMin = NaN] = stats(noise);
    // Denoising removes something, but far less than the signal; the noise level is of the same order
    // as what was removed (measured: residual sd 20.2, mean noise sigma 19.9, mean signal 91.8).
    expect(residualStd).toBeGreaterThan(0.5 * noiseMean);
    expect(residualStd).toBeLessThan(2 * noiseMean);
    expect(residualStd).toBeLessThan(0.3 * signal);
    expect(noiseMin).toBeGreaterThanOrEqual(0);
    expect(noiseMean).toBeGreaterThan(0);
  });

  it('diffusion/gradient-check exports a whole table: same b-values, directions of the same lengths', async () => {
    const checkedBvec = out('dwi', 'checked.bvec');
    const checkedBval = out('dwi', 'checked.bval');
    await runLibraryJob(
      'diffusion/gradient-check',
      { f1: [preprocessed()], f2: [bvec], f3: [bval], n1: 200, o1: checkedBvec, o2: checkedBval },
      work('gradcheck'),
    );
    const before = parseMatrix(readFileSync(bvec, 'utf8'));
    const after = parseMatrix(readFileSync(checkedBvec, 'utf8'));
    expect(after).toHaveLength(3);
    expect(parseMatrix(readFileSync(checkedBval, 'utf8'))[0]?.map(Math.round)).toEqual(
      parseMatrix(readFileSync(bval, 'utf8'))[0]?.map(Math.round),
    );
    // dwigradcheck may flip or permute axes, in the image or the scanner basis (this image's header
    // is rotated 14 degrees), so the directions change; their lengths do not (1 for b>0, 0 for b=0).
    const norm = (m: number[][], v: number): number =>
      Math.hypot(m[0]?.[v] ?? NaN, m[1]?.[v] ?? NaN, m[2]?.[v] ?? NaN);
    expect(after[0]).toHaveLength(65);
    for (let v = 0; v < 65; v++) expect(norm(after, v)).toBeCloseTo(norm(before, v), 3);
  });

  it('diffusion/dti-fa and diffusion/fod on the preprocessed series, then tractography/tckgen', async () => {
    await runLibraryJob(
      'diffusion/dti-fa',
      { f1: [preprocessed()], f2: [bvec], f3: [bval], o1: fa() },
      work('fa'),
    );
    const [faMean = NaN, , faMin = NaN] = stats(fa());
    expect(faMin).toBeGreaterThanOrEqual(0);
    expect(faMean).toBeGreaterThan(0.05);

    const response = out('dwi', 'response.txt');
    await runLibraryJob(
      'diffusion/fod',
      { f1: [preprocessed()], f2: [bvec], f3: [bval], algorithm: 'fa', o1: fod(), o2: response, o3: mask() },
      work('fod'),
    );
    // 64 directions allow lmax 8: 45 spherical-harmonic coefficients.
    expect(info('-size', fod())).toBe('10 10 10 45');
    const [coefficients] = parseMatrix(readFileSync(response, 'utf8'));
    // One coefficient per even degree l = 0, 2, ... (zonal harmonics of the single-fibre response).
    expect(coefficients?.length).toBeGreaterThanOrEqual(5);
    expect(coefficients?.[0]).toBeGreaterThan(0);

    await runLibraryJob(
      'tractography/tckgen',
      { f1: [fod()], f2: [mask()], n1: 300, n2: 4, o1: tracks() },
      work('tckgen'),
    );
    expect(tool('tckinfo', tracks()).match(/^\s*count:\s+(\d+)/m)?.[1]).toBe('300');
  });

  it('connectome/tck2connectome: counts, mean lengths and mean FA per pair agree with the assignments', async () => {
    // Four parcels: the mask cut into slabs along x (a stand-in for an atlas on this 2 cm cube).
    const parcels = out('atlas', `parcels ${HOSTILE_NAME}.nii.gz`);
    mkdirSync(out('atlas'));
    pythonJson(
      `
import json, sys, nibabel as nb, numpy as np
mask_path, out_path = json.load(sys.stdin)
m = nb.load(mask_path)
inside = np.asarray(m.dataobj) > 0
x = np.arange(inside.shape[0])[:, None, None] * np.ones(inside.shape)
labels = np.where(inside, 1 + (x * 4 // inside.shape[0]), 0).astype(np.uint8)
nb.save(nb.Nifti1Image(labels, m.affine), out_path)
print("null")
`,
      [mask(), parcels],
    );
    const count = out('connectome', 'count.csv');
    const length = out('connectome', 'mean length.csv');
    const meanFa = out('connectome', 'mean fa.csv');
    const assignments = out('connectome', 'assignments.txt');
    const stderr = await runLibraryJob(
      'connectome/tck2connectome',
      {
        ...{ f1: [tracks()], f2: [parcels], f3: [fa()], s1: '' },
        ...{ o1: count, o2: length, o3: meanFa, o4: assignments },
      },
      work('connectome'),
    );
    // Outside a run there is no catalog to record on: the measures are printed instead.
    expect(stderr).toMatch(/not inside a run, measures not recorded: \{"connectome\.streamlines": 300, /);
    const counts = parseMatrix(readFileSync(count, 'utf8'));
    const pairs = parseMatrix(readFileSync(assignments, 'utf8'));
    expect(counts).toHaveLength(4);
    expect(pairs).toHaveLength(300);
    const assigned = pairs.filter(([a = 0, b = 0]) => a > 0 && b > 0);
    expect(assigned.length).toBeGreaterThan(100);
    // Each node's row sum is the number of assigned streamlines touching it (self-connections once).
    for (let i = 1; i <= 4; i++) {
      const rowSum = (counts[i - 1] ?? []).reduce((sum, v) => sum + v, 0);
      expect(rowSum).toBe(assigned.filter(([a, b]) => a === i || b === i).length);
    }
    // Upper triangle (diagonal included): every assigned streamline once.
    let total = 0;
    for (let i = 0; i < 4; i++) for (let j = i; j < 4; j++) total += counts[i]?.[j] ?? 0;
    expect(total).toBe(assigned.length);

    // Mean length and mean FA per pair against tckstats' and tcksample's per-streamline values.
    const dumped = join(root, 'lengths.txt');
    tool('tckstats', '-quiet', tracks(), '-dump', dumped);
    const lengths = parseMatrix(readFileSync(dumped, 'utf8')).flat();
    const sampled = join(root, 'fa per streamline.txt');
    tool('tcksample', '-quiet', tracks(), fa(), sampled, '-stat_tck', 'mean');
    const faPerStreamline = parseMatrix(readFileSync(sampled, 'utf8')).flat();
    expect(lengths).toHaveLength(300);
    expect(faPerStreamline).toHaveLength(300);
    const lengthMatrix = parseMatrix(readFileSync(length, 'utf8'));
    const faMatrix = parseMatrix(readFileSync(meanFa, 'utf8'));
    for (let i = 1; i <= 4; i++) {
      for (let j = i; j <= 4; j++) {
        const members = pairs.flatMap(([a, b], s) =>
          (a === i && b === j) || (a === j && b === i) ? [s] : [],
        );
        const mean = (values: number[]): number =>
          members.length === 0 ? 0 : members.reduce((sum, s) => sum + (values[s] ?? NaN), 0) / members.length;
        // Matrices are written with 6 significant digits.
        expect(lengthMatrix[i - 1]?.[j - 1]).toBeCloseTo(mean(lengths), 3);
        expect(faMatrix[i - 1]?.[j - 1]).toBeCloseTo(mean(faPerStreamline), 4);
        expect(lengthMatrix[j - 1]?.[i - 1]).toBe(lengthMatrix[i - 1]?.[j - 1]);
      }
    }
  });
});
