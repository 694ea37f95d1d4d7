import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_NAME, requireTools, testData } from '../src/jobs/test-fixture.js';
import {
  fileDir,
  libraryTask,
  parseMatrix,
  pythonJson,
  runLibraryJob,
  tool,
} from './helpers/library-task.js';

// The registration and atlas jobs of library/ on real data: Colin27 from Debian's mricron-data (the
// jobs' default template, installed by scripts/install-test-deps.sh), in folders whose names would
// break any command line built as text.
//
// Ground truth comes from moving Colin27 itself by a known transform (10 degrees about z, a shift of
// (6, -4, 3) mm; for the affine test also a stretch and other intensity units) in its header only: the
// registration must find the inverse, and the brain mask and the AAL atlas must land where they came
// from. Templates of an analysis folder at 2 mm (affine) and 4 mm (nonlinear) keep the file to a few
// minutes on a loaded 2-core machine; one test uses the 1 mm default. (nibabel's anatomical.nii, a
// real other brain, is a 66 x 82 x 50 mm slab: registered to a whole head it slides 25 mm, so it
// cannot serve as a check.)

const KNOWN = [
  [0.98480775, -0.17364818, 0, 6],
  [0.17364818, 0.98480775, 0, -4],
  [0, 0, 1, 3],
  [0, 0, 0, 1],
];

// The machine running the tests may be shared and loaded: generous limits for real tools.
const FIXTURE_TIMEOUT_MS = 300_000;

// Stretched in x, squeezed in z, rotated 10 degrees, shifted.
const KNOWN_AFFINE = [
  [1.06359237, -0.17364818, 0, 6],
  [0.18753983, 0.98480775, 0, -4],
  [0, 0, 0.95, 3],
  [0, 0, 0, 1],
];

let root: string;
let study: string;
let templates: string;
let template2mm: string;
let brain2mm: string;
let template4mm: string;
let brain4mm: string;
let head4mm: string;
let head: string;
let brain: string;
let brainMask: string;

const mutualInformation = `
import json, sys, nibabel as nb, numpy as np
a, b = json.load(sys.stdin)
x = np.asarray(nb.load(a).dataobj, dtype=float).ravel()
y = np.asarray(nb.load(b).dataobj, dtype=float).ravel()
h, _, _ = np.histogram2d(x, y, bins=32)
p = h / h.sum()
q = np.outer(p.sum(1), p.sum(0))
nz = p > 0
print(json.dumps(float((p[nz] * np.log(p[nz] / q[nz])).sum())))
`;

const dice = `
import json, sys, nibabel as nb, numpy as np
a, b = (np.asarray(nb.load(p).dataobj) > 0 for p in json.load(sys.stdin))
print(json.dumps(float(2 * (a & b).sum() / (a.sum() + b.sum()))))
`;

const labels = `
import json, sys, nibabel as nb, numpy as np
img = nb.load(json.load(sys.stdin))
print(json.dumps({"dtype": str(img.get_data_dtype()), "labels": sorted(int(v) for v in np.unique(np.asarray(img.dataobj)))}))
`;

beforeAll(() => {
  requireTools('mrregister', 'mrtransform', 'mrhistmatch', 'mrgrid', 'mrcalc', 'mrstats', 'transformcalc');
  root = fileDir('cohort-registration-');
  study = join(root, `study ${HOSTILE_NAME}`);
  templates = join(root, `analysis ${HOSTILE_NAME}`);
  mkdirSync(study);
  mkdirSync(templates);
  const known = join(root, 'known.txt');
  writeFileSync(known, KNOWN.map((row) => row.join(' ')).join('\n') + '\n');
  template2mm = join(templates, `template ${HOSTILE_NAME}.nii.gz`);
  brain2mm = join(root, 'ch2bet-2mm.nii.gz');
  tool('mrgrid', '-quiet', testData('templates', 'ch2.nii.gz'), 'regrid', '-voxel', '2', template2mm);
  tool('mrgrid', '-quiet', testData('templates', 'ch2bet.nii.gz'), 'regrid', '-voxel', '2', brain2mm);
  const mask2mm = join(root, 'ch2bet-mask-2mm.nii.gz');
  tool('mrcalc', '-quiet', brain2mm, '0', '-gt', '-datatype', 'uint8', mask2mm);
  // Header-only moves (no -template): the voxels stay, the image moves in space.
  head = join(study, `T1 head ${HOSTILE_NAME}.nii.gz`);
  brain = join(study, `T1 brain ${HOSTILE_NAME}.nii.gz`);
  brainMask = join(study, `brain mask ${HOSTILE_NAME}.nii.gz`);
  tool('mrtransform', '-quiet', template2mm, '-linear', known, head);
  tool('mrtransform', '-quiet', mask2mm, '-linear', known, brainMask);
  // The nonlinear registration runs at 4 mm: at 2 mm it takes minutes on a loaded 2-core machine.
  template4mm = join(templates, `template 4mm ${HOSTILE_NAME}.nii.gz`);
  brain4mm = join(root, 'ch2bet-4mm.nii.gz');
  head4mm = join(study, `T1 head 4mm ${HOSTILE_NAME}.nii.gz`);
  tool('mrgrid', '-quiet', testData('templates', 'ch2.nii.gz'), 'regrid', '-voxel', '4', template4mm);
  tool('mrgrid', '-quiet', testData('templates', 'ch2bet.nii.gz'), 'regrid', '-voxel', '4', brain4mm);
  tool('mrtransform', '-quiet', template4mm, '-linear', known, head4mm);
  // A 4 mm moving brain keeps the registration against the 1 mm default template short.
  tool('mrtransform', '-quiet', brain4mm, '-linear', known, brain);
}, FIXTURE_TIMEOUT_MS);

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The 4x4 text matrix `found` equals `expected`: 0.01 per linear entry (0.6 degrees), 1 mm per shift. */
function expectMatrixNear(found: string, expected: string): void {
  const a = parseMatrix(readFileSync(found, 'utf8'));
  const b = parseMatrix(readFileSync(expected, 'utf8'));
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) expect(Math.abs((a[r]?.[c] ?? NaN) - (b[r]?.[c] ?? NaN))).toBeLessThan(0.01);
    // Half a 2 mm voxel, a quarter of a 4 mm one (measured: within 0.2 mm).
    expect(Math.abs((a[r]?.[3] ?? NaN) - (b[r]?.[3] ?? NaN))).toBeLessThan(1);
  }
}

function out(...parts: string[]): string {
  return join(study, ...parts);
}

function work(name: string): string {
  return join(root, `work ${name}`);
}

describe('registration/linear', { timeout: 180_000 }, () => {
  it('finds a known rigid move of Colin27 against the default 1 mm Colin27 brain', async () => {
    const registered = out(`registration ${HOSTILE_NAME}`, 'brain in template.nii.gz');
    const transform = out(`registration ${HOSTILE_NAME}`, `to template ${HOSTILE_NAME}.txt`);
    await runLibraryJob(
      'registration/linear',
      {
        f1: [brain],
        type: 'rigid',
        template: 'colin27-brain',
        histmatch: true,
        o1: registered,
        o2: transform,
      },
      work('rigid'),
    );
    expect(tool('mrinfo', '-quiet', '-size', registered).trim()).toBe('181 217 181');
    const inverse = join(root, 'inverse-known.txt');
    tool('transformcalc', '-quiet', join(root, 'known.txt'), 'invert', inverse);
    expectMatrixNear(transform, inverse);
  });

  it('recovers a known affine move of a rescaled Colin27 against a template of the analysis folder', async () => {
    // Stretched 8 % in x, squeezed 5 % in z, rotated and shifted; intensities x40 + 100 as int16, as
    // another scanner's units would be (the job's linear intensity match must undo that).
    const geometry = join(root, 'known-affine.txt');
    writeFileSync(geometry, KNOWN_AFFINE.map((row) => row.join(' ')).join('\n') + '\n');
    const movedGeometry = join(root, 'head-affine.nii');
    tool('mrtransform', '-quiet', template2mm, '-linear', geometry, movedGeometry);
    const moved = out(`head rescaled ${HOSTILE_NAME}.nii.gz`);
    tool('mrcalc', '-quiet', movedGeometry, '40', '-mult', '100', '-add', '-datatype', 'int16', moved);
    const registered = out('registration', 'head in template.nii.gz');
    const transform = out('registration', 'head to template.txt');
    await runLibraryJob(
      'registration/linear',
      {
        f1: [moved],
        f2: [template2mm],
        type: 'affine',
        template: 'colin27-brain',
        histmatch: true,
        o1: registered,
        o2: transform,
      },
      work('affine'),
    );
    const inverse = join(root, 'inverse-affine.txt');
    tool('transformcalc', '-quiet', geometry, 'invert', inverse);
    expectMatrixNear(transform, inverse);
    const unregistered = join(root, 'head-identity.nii.gz');
    tool('mrtransform', '-quiet', moved, '-template', template2mm, unregistered);
    const before = pythonJson(mutualInformation, [template2mm, unregistered]) as number;
    const after = pythonJson(mutualInformation, [template2mm, registered]) as number;
    // Measured: 0.49 before, 2.17 after (nats, 32 bins).
    expect(after).toBeGreaterThan(before * 3);

    // The template's brain mask back into the subject: nearest keeps 0/1 and uint8.
    const maskInSubject = out('masks', 'template brain in subject.nii.gz');
    await runLibraryJob(
      'registration/apply-transform',
      {
        f1: [join(root, 'ch2bet-mask-2mm.nii.gz')],
        f2: [transform],
        f3: [moved],
        inverse: true,
        interp: 'nearest',
        o1: maskInSubject,
      },
      work('apply-inverse-linear'),
    );
    expect(pythonJson(labels, maskInSubject)).toEqual({ dtype: 'uint8', labels: [0, 1] });
    expect(tool('mrinfo', '-quiet', '-size', maskInSubject).trim()).toBe('90 108 90');
    const truth = join(root, 'brain-mask-affine.nii');
    tool('mrtransform', '-quiet', join(root, 'ch2bet-mask-2mm.nii.gz'), '-linear', geometry, truth);
    // Both on the subject's grid, so only registration error separates them (measured 1.00).
    expect(pythonJson(dice, [maskInSubject, truth]) as number).toBeGreaterThan(0.95);
  });
});

describe('registration/nonlinear, atlas/to-subject, atlas/region-stats', { timeout: 300_000 }, () => {
  it('warps a moved Colin27 head onto the template, its brain mask onto ch2bet, and AAL back with every label', async () => {
    const registered = out('registration', 'head warped.nii.gz');
    const affine = out('registration', 'affine.txt');
    const warp = out('registration', `warp ${HOSTILE_NAME}.mif`);
    await runLibraryJob(
      'registration/nonlinear',
      {
        f1: [head4mm],
        f2: [template4mm],
        template: 'colin27-head',
        histmatch: true,
        o1: registered,
        o2: affine,
        o3: warp,
      },
      work('nonlinear'),
    );
    expect(tool('mrinfo', '-quiet', '-ndim', warp).trim()).toBe('5');

    const maskInTemplate = out('registration', 'brain mask in template.nii.gz');
    await runLibraryJob(
      'registration/apply-transform',
      {
        f1: [brainMask],
        f2: [warp],
        f3: [template4mm],
        inverse: false,
        interp: 'nearest',
        o1: maskInTemplate,
      },
      work('apply-warp'),
    );
    // Measured 0.958 at 4 mm; the moved mask without registration overlaps 0.877.
    expect(pythonJson(dice, [maskInTemplate, brain4mm]) as number).toBeGreaterThan(0.93);

    const atlas = out(`atlas ${HOSTILE_NAME}`, 'aal in subject.nii.gz');
    const names = out(`atlas ${HOSTILE_NAME}`, 'aal regions.tsv');
    await runLibraryJob(
      'atlas/to-subject',
      { f1: [head], f2: [warp], atlas: 'aal', o1: atlas, o2: names },
      work('atlas'),
    );
    const present = pythonJson(labels, atlas) as { dtype: string; labels: number[] };
    expect(present.dtype).toBe('uint8');
    expect(present.labels).toEqual(Array.from({ length: 117 }, (_, i) => i));
    const nameLines = readFileSync(names, 'utf8').trim().split('\n');
    expect(nameLines).toHaveLength(117);
    expect(nameLines[0]).toBe('label\tregion');
    expect(nameLines).toContain('37\tHippocampus_L');

    // The other mricron-data atlases (on FSL's 182 x 218 x 182 grid or Colin27's): every label arrives.
    for (const [name, count] of [
      ['jhu-wm', 48],
      ['harvard-oxford', 48],
      ['brodmann', 41],
    ] as const) {
      const other = out(`atlas ${HOSTILE_NAME}`, `${name}.nii.gz`);
      const otherNames = out(`atlas ${HOSTILE_NAME}`, `${name}.tsv`);
      await runLibraryJob(
        'atlas/to-subject',
        { f1: [head], f2: [warp], atlas: name, o1: other, o2: otherNames },
        work(`atlas ${name}`),
      );
      const arrived = pythonJson(labels, other) as { labels: number[] };
      expect(arrived.labels, name).toHaveLength(count + 1);
      expect(readFileSync(otherNames, 'utf8').trim().split('\n'), name).toHaveLength(count + 1);
    }

    // Region statistics against mrstats -mask on the same images.
    const scalar = out(`T1 head float ${HOSTILE_NAME}.nii`);
    tool('mrconvert', '-quiet', head, '-datatype', 'float32', scalar);
    const table = out('stats', `region stats ${HOSTILE_NAME}.tsv`);
    await runLibraryJob(
      'atlas/region-stats',
      { f1: [atlas], f2: [scalar, brainMask], f3: [names], s1: 'AAL', o1: table },
      work('stats'),
      { COHORT_STUDY: `P 1#2024-01-02 ${HOSTILE_NAME}` },
    );
    const rows = readFileSync(table, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split('\t'));
    expect(rows[0]).toEqual(['subject', 'study', 'atlas', 'label', 'region', 'image', 'measure', 'value']);
    // 116 regions x (voxels, volume) + 116 x 2 images x (mean, median, sd).
    expect(rows).toHaveLength(1 + 116 * 2 + 116 * 2 * 3);
    const value = (label: number, image: string, measure: string): number => {
      const row = rows.find((r) => r[3] === String(label) && r[5] === image && r[6] === measure);
      return Number(row?.[7]);
    };
    expect(rows[1]?.slice(0, 5)).toEqual(['P 1', `2024-01-02 ${HOSTILE_NAME}`, 'AAL', '1', 'Precentral_L']);
    const image = `T1 head float ${HOSTILE_NAME}`;
    for (const label of [1, 37, 48, 71, 95, 116]) {
      const mask = join(root, `label-${label}.mif`);
      tool('mrcalc', '-quiet', atlas, String(label), '-eq', mask);
      const [mean = NaN, median = NaN, std = NaN, count = NaN] = tool(
        'mrstats',
        '-quiet',
        scalar,
        '-mask',
        mask,
        '-output',
        'mean',
        '-output',
        'median',
        '-output',
        'std',
        '-output',
        'count',
      )
        .trim()
        .split(/\s+/)
        .map(Number);
      expect(value(label, '', 'voxels')).toBe(count);
      expect(value(label, '', 'volume_mm3')).toBe(count * 8);
      // mrstats prints 6 significant digits; numpy sums in double precision.
      expect(value(label, image, 'mean')).toBeCloseTo(mean, 6 - Math.ceil(Math.log10(Math.abs(mean))));
      expect(value(label, image, 'median')).toBeCloseTo(median, 6 - Math.ceil(Math.log10(Math.abs(median))));
      expect(value(label, image, 'sd')).toBeCloseTo(std, 6 - Math.ceil(Math.log10(Math.abs(std))));
    }
  });

  it('a missing Colin27 or a transform of the wrong kind fails with the fix', async () => {
    const missing = await libraryTask(
      'registration/linear',
      {
        f1: [brain],
        type: 'rigid',
        template: 'colin27-head',
        histmatch: true,
        o1: join(root, 'never.nii'),
        o2: join(root, 'never.txt'),
      },
      work('no template'),
      { COHORT_TEMPLATE_DIR: join(root, 'no templates here') },
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("ch2.nii.gz is missing; install Debian's mricron-data");
    const wrong = await libraryTask(
      'registration/apply-transform',
      {
        f1: [brain],
        f2: [brain],
        f3: [brain],
        inverse: false,
        interp: 'linear',
        o1: join(root, 'never.nii'),
      },
      work('wrong transform'),
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('is neither a linear transform (.txt) nor a 5D full warp');
  });

  it('region-stats refuses an image on another grid, naming it and the fix', async () => {
    const atlas = join(root, 'mask atlas.nii');
    tool('mrcalc', '-quiet', brain2mm, '0', '-gt', '-datatype', 'uint8', atlas);
    const values = { f1: [atlas], f2: [head], s1: '', o1: join(root, 'refused.tsv') };
    const result = await libraryTask('atlas/region-stats', values, work('refuse'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${head} is not on the grid of the atlas`);
    expect(result.stderr).toContain('registration/apply-transform');
  });
});
