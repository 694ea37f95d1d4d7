import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNiftiVolume } from '../src/imaging/nifti-volume.js';
import {
  convertTracts,
  makeSampler,
  mapTracts,
  openTracts,
  parseSelectionRecipe,
  readTracts,
  sampleMeans,
  selectTracts,
  tractStats,
} from '../src/tracts/index.js';
import { batchLengths } from '../src/tracts/length-stats.js';
import { requireTools, testData } from '../src/jobs/test-fixture.js';

// Exactness against MRtrix3 3.0.3 (Debian `mrtrix3`) on real data: dipy's bundles (5 subjects x 3 tracts,
// TrackVis files converted to TCK by our converter, which is itself checked against nibabel) and tracks
// that `tckgen` makes from dipy's small_101D DWI (an oblique 2.5 mm grid).

let work: string;
/** name -> { tck, reference grid, scalar image } */
const cases: { name: string; tck: string; grid: string; scalar: string }[] = [];

function mrtrix(...args: string[]): string {
  const [program = '', ...rest] = args;
  const run = spawnSync(program, [...rest, '-quiet', '-force', '-nthreads', '1'], {
    encoding: 'utf8',
    env: { ...process.env, MRTRIX_RNG_SEED: '42' },
  });
  if (run.status !== 0) throw new Error(`${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

/** Numbers of an MRtrix text output (comment lines skipped). */
function numbers(path: string): number[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .flatMap((line) => line.trim().split(/\s+/))
    .filter((word) => word !== '')
    .map(Number);
}

function worstRelative(mine: ArrayLike<number>, theirs: ArrayLike<number>, floor = 1e-3): number {
  expect(mine.length).toBe(theirs.length);
  let worst = 0;
  for (let i = 0; i < mine.length; i++) {
    const [a = NaN, b = NaN] = [mine[i], theirs[i]];
    worst = Math.max(worst, Math.abs(a - b) / Math.max(floor, Math.abs(b)));
  }
  return worst;
}

beforeAll(() => {
  requireTools(
    'tckstats',
    'tckmap',
    'tckedit',
    'tcksample',
    'tckgen',
    'dwi2tensor',
    'tensor2metric',
    'mrfilter',
    'mrthreshold',
  );
  work = mkdtempSync(join(tmpdir(), 'cohort-tracts-mrtrix-'));
  // dipy's bundles: per subject, a 1.5 mm grid around its three bundles and a smooth scalar on it.
  const bundles = testData('tracts', 'bundles');
  for (const subject of readdirSync(bundles).sort()) {
    const dir = join(work, subject);
    mkdirSync(dir);
    const tcks = readdirSync(join(bundles, subject))
      .sort()
      .map((file) => {
        const tck = join(dir, file.replace(/\.trk$/, '.tck'));
        convertTracts(join(bundles, subject, file), tck);
        return tck;
      });
    const all = join(dir, 'all.tck');
    mrtrix('tckedit', ...tcks, all);
    const grid = join(dir, 'grid.nii');
    mrtrix('tckmap', all, '-vox', '1.5', grid);
    const scalar = join(dir, 'scalar.nii');
    mrtrix('mrfilter', grid, 'smooth', '-stdev', '4', scalar);
    for (const tck of tcks) cases.push({ name: `${subject}/${basename(tck)}`, tck, grid, scalar });
  }
  // tckgen on real DWI: deterministic tensor tracking seeded where FA > 0.1.
  const [dwi, bvec, bval] = [
    testData('nifti', 'small_101D.nii.gz'),
    testData('nifti', 'small_101D.bvec'),
    testData('nifti', 'small_101D.bval'),
  ];
  const [dt, fa, seed, gen] = ['dt.mif', 'fa.nii', 'seed.nii', 'tckgen.tck'].map((f) => join(work, f)) as [
    string,
    string,
    string,
    string,
  ];
  mrtrix('dwi2tensor', dwi, '-fslgrad', bvec, bval, dt);
  mrtrix('tensor2metric', dt, '-fa', fa);
  mrtrix('mrthreshold', fa, '-abs', '0.1', seed);
  mrtrix(
    'tckgen',
    '-algorithm',
    'Tensor_Det',
    dwi,
    '-fslgrad',
    bvec,
    bval,
    '-seed_image',
    seed,
    '-select',
    '2000',
    '-minlength',
    '2',
    gen,
  );
  cases.push({ name: 'tckgen small_101D', tck: gen, grid: fa, scalar: fa });
}, 240_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('tracts against MRtrix3 on real data', () => {
  it('reads TrackVis bundles exactly as nibabel does (the half-voxel shift and vox_to_ras)', () => {
    const bundles = testData('tracts', 'bundles');
    const script = [
      'import sys, nibabel as nib, numpy as np',
      'for path in sys.argv[1:]:',
      '    s = nib.streamlines.load(path).streamlines',
      '    sys.stdout.buffer.write(np.asarray(s.get_data(), dtype="<f4").tobytes())',
    ].join('\n');
    const files = readdirSync(bundles)
      .sort()
      .flatMap((s) =>
        readdirSync(join(bundles, s))
          .sort()
          .map((f) => join(bundles, s, f)),
      );
    const run = spawnSync('/usr/bin/python3', ['-c', script, ...files], { maxBuffer: 1 << 28 });
    expect(run.status, String(run.stderr)).toBe(0);
    const theirs = new Float32Array(run.stdout.buffer, run.stdout.byteOffset, run.stdout.byteLength / 4);
    const mine = files.flatMap((f) => [...readTracts(f).positions]);
    expect(mine.length).toBe(theirs.length);
    // Both compute voxmm -> RAS in float64 and round to float32: at most one float32 ulp apart.
    expect(worstRelative(mine, theirs, 1)).toBeLessThan(1e-6);
  });

  it('lengths and their summary match tckstats to 1e-5 (it prints 6 significant digits)', () => {
    for (const c of cases) {
      const dump = join(work, 'lengths.txt');
      const summary = mrtrix(
        'tckstats',
        c.tck,
        '-dump',
        dump,
        '-output',
        'mean',
        '-output',
        'median',
        '-output',
        'std',
        '-output',
        'min',
        '-output',
        'max',
        '-output',
        'count',
      );
      const mine = [...openTracts(c.tck).batches()].flatMap((b) => [...batchLengths(b)]);
      expect(worstRelative(mine, numbers(dump)), c.name).toBeLessThan(1e-5);
      const l = tractStats(c.tck).lengths;
      const [mean, median, std, min, max, count] = summary.trim().split(/\s+/).map(Number);
      expect(
        worstRelative([l.mean, l.median, l.std, l.min, l.max], [mean, median, std, min, max] as number[]),
        c.name,
      ).toBeLessThan(1e-5);
      expect(l.count).toBe(count);
    }
  });

  it('visit and endpoint maps equal tckmap -upsample 1 and -ends_only voxel for voxel', () => {
    for (const c of cases) {
      for (const [kind, flags] of [
        ['visit', ['-upsample', '1']],
        ['ends', ['-ends_only', '-upsample', '1']],
      ] as const) {
        const theirs = join(work, `mrtrix_${kind}.nii`);
        const mine = join(work, `mine_${kind}.nii.gz`);
        mrtrix('tckmap', c.tck, '-template', c.grid, ...flags, theirs);
        const result = mapTracts(c.tck, c.grid, mine, { kind });
        const [a, b] = [readNiftiVolume(mine), readNiftiVolume(theirs)];
        expect(a.dims).toEqual(b.dims);
        expect([...a.affine].map((v) => v.toFixed(4))).toEqual([...b.affine].map((v) => v.toFixed(4)));
        let different = 0;
        a.data.forEach((v, i) => (different += v === b.data[i] ? 0 : 1));
        expect(different, `${c.name} ${kind}`).toBe(0);
        expect(result.nonzeroVoxels, c.name).toBeGreaterThan(0);
      }
    }
  });

  it('tckedit -include x,y,z,r keeps the same streamlines', () => {
    for (const c of cases) {
      const t = readTracts(c.tck);
      // Spheres centred near vertices of three streamlines, so each selects a real subset.
      for (const s of [0, Math.floor(t.count / 2), t.count - 1]) {
        const k = 3 * ((t.offsets[s] ?? 0) + Math.floor(((t.offsets[s + 1] ?? 0) - (t.offsets[s] ?? 0)) / 2));
        const sphere = [0, 1, 2].map((a) => Number((t.positions[k + a] ?? 0).toFixed(1))).concat(2.5) as [
          number,
          number,
          number,
          number,
        ];
        const [mine, theirs] = [join(work, 'mine.tck'), join(work, 'theirs.tck')];
        const result = selectTracts(
          c.tck,
          mine,
          parseSelectionRecipe({ rules: [{ kind: 'include', sphere }] }),
        );
        mrtrix('tckedit', c.tck, theirs, '-include', sphere.join(','));
        const [a, b] = [readTracts(mine), readTracts(theirs)];
        expect(a.count, `${c.name} ${sphere.join(',')}`).toBe(b.count);
        expect(a.count).toBeGreaterThan(0);
        expect([...a.positions]).toEqual([...b.positions]);
        expect(result.tckedit).toBe(`tckedit ${c.tck} ${mine} -include ${sphere.join(',')}`);
      }
    }
  });

  it('ordered waypoints, exclusion, ends-only inclusion and masks keep the same streamlines as tckedit', () => {
    for (const c of cases) {
      const t = readTracts(c.tck);
      const point = (s: number, fraction: number): [number, number, number, number] => {
        const [a = 0, b = 0] = [t.offsets[s], t.offsets[s + 1]];
        const k = 3 * (a + Math.floor((b - a - 1) * fraction));
        return [0, 1, 2].map((i) => Number((t.positions[k + i] ?? 0).toFixed(1))).concat(4) as [
          number,
          number,
          number,
          number,
        ];
      };
      const s = Math.floor(t.count / 3);
      const [early, late, end] = [point(s, 0.2), point(s, 0.8), point(s, 1)];
      const checks: [unknown[], string[]][] = [
        [
          [{ kind: 'ordered', regions: [{ sphere: early }, { sphere: late }] }],
          ['-include_ordered', early.join(','), '-include_ordered', late.join(',')],
        ],
        [
          [{ kind: 'ordered', regions: [{ sphere: late }, { sphere: early }] }],
          ['-include_ordered', late.join(','), '-include_ordered', early.join(',')],
        ],
        [[{ kind: 'exclude', sphere: late }], ['-exclude', late.join(',')]],
        [[{ kind: 'include', sphere: end, endsOnly: true }], ['-include', end.join(','), '-ends_only']],
      ];
      // A mask: the voxels of the reference grid's image above a level (track density, or FA).
      const mask = join(work, 'mask.nii');
      mrtrix('mrthreshold', c.grid, '-abs', c.grid === c.scalar ? '0.3' : '3', mask);
      checks.push(
        [[{ kind: 'include', mask }], ['-include', mask]],
        [[{ kind: 'exclude', mask }], ['-exclude', mask]],
      );
      for (const [rules, flags] of checks) {
        const [mine, theirs] = [join(work, 'mine.tck'), join(work, 'theirs.tck')];
        selectTracts(c.tck, mine, parseSelectionRecipe({ rules }));
        mrtrix('tckedit', c.tck, theirs, ...flags);
        const [a, b] = [readTracts(mine), readTracts(theirs)];
        expect(a.count, `${c.name} ${flags.join(' ')}`).toBe(b.count);
        expect([...a.positions]).toEqual([...b.positions]);
      }
    }
  });

  it('the length-weighted mean of a scalar along streamlines matches tcksample -stat_tck mean to 1e-5', () => {
    for (const c of cases) {
      const out = join(work, 'mean.txt');
      mrtrix('tcksample', c.tck, c.scalar, '-stat_tck', 'mean', out);
      const sampler = makeSampler(readNiftiVolume(c.scalar));
      const mine = [...openTracts(c.tck).batches()].flatMap((b) => [...sampleMeans(b, sampler)]);
      // tcksample computes in float32 and prints 10 digits; ours is float64: 1e-5 relative is ample.
      expect(worstRelative(mine, numbers(out)), c.name).toBeLessThan(1e-5);
    }
  });
});
