import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNiftiVolume } from '../imaging/nifti-volume.js';
import { writeNiftiLike } from '../imaging/write-nifti-like.js';
import { writeNifti1 } from '../demo/nifti1.js';
import { compileSelection, filterBatch } from './select-streamlines.js';
import { parseSelectionRecipe, tckeditCommand } from './selection-recipe.js';
import type { StreamlineBatch } from './tractogram.js';
import { bundleCentroid, resampleStreamline, tractProfile } from './tract-profile.js';

/** Streamlines along x from x0 to x1 at height y (one point per mm), some reversed. */
function lines(specs: readonly [number, number, number][]): StreamlineBatch {
  const points: number[] = [];
  const offsets = [0];
  for (const [x0, x1, y] of specs) {
    const step = x1 >= x0 ? 1 : -1;
    for (let x = x0; step > 0 ? x <= x1 : x >= x1; x += step) points.push(x, y, 0);
    offsets.push(points.length / 3);
  }
  return {
    positions: Float32Array.from(points),
    offsets: Float64Array.from(offsets),
    count: specs.length,
    dpp: {},
    dps: {},
  };
}

const batch = lines([
  [0, 20, 0], // 0: passes x=5 and x=15, length 20
  [20, 0, 0], // 1: the same, reversed
  [0, 8, 0], // 2: short, stops before x=15
  [0, 20, 10], // 3: far from y=0
  [5, 15, 0], // 4: starts at x=5, ends at x=15
]);
const kept = (rules: unknown[]): number[] =>
  filterBatch(batch, compileSelection(parseSelectionRecipe({ rules }))).kept;

describe('streamline selection', () => {
  it('includes, excludes, ends-only, ordered waypoints and length limits', () => {
    expect(kept([{ kind: 'include', sphere: [5, 0, 0, 1] }])).toEqual([0, 1, 2, 4]);
    expect(kept([{ kind: 'exclude', sphere: [15, 0, 0, 1] }])).toEqual([2, 3]);
    expect(kept([{ kind: 'include', sphere: [5, 0, 0, 0.5], endsOnly: true }])).toEqual([4]);
    expect(
      kept([{ kind: 'ordered', regions: [{ sphere: [5, 0, 0, 1] }, { sphere: [15, 0, 0, 1] }] }]),
    ).toEqual([0, 4]);
    expect(kept([{ kind: 'length', min: 9, max: 19 }])).toEqual([4]);
    // Chained rules: all must hold.
    expect(
      kept([
        { kind: 'include', sphere: [5, 0, 0, 1] },
        { kind: 'length', min: 15 },
      ]),
    ).toEqual([0, 1]);
  });

  it('selects by a NIfTI mask, and keeps per-point and per-streamline data with the streamlines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-select-'));
    const grid = join(dir, 'grid.nii');
    writeNifti1(grid, {
      dims: [41, 41, 3],
      pixdim: [1, 1, 1],
      datatype: 'int16',
      data: new Int16Array(41 * 41 * 3),
    });
    const ref = readNiftiVolume(grid);
    // The demo writer centres the grid: voxel (20, 20, 1) is the world origin. Mark world x = 18..19, y = 0.
    const mask = new Float32Array(41 * 41 * 3);
    for (const x of [18, 19]) mask[20 + x + 41 * (20 + 41 * 1)] = 1;
    writeNiftiLike(join(dir, 'mask.nii'), ref, mask);
    expect(kept([{ kind: 'include', mask: join(dir, 'mask.nii') }])).toEqual([0, 1]);
    const withData = { ...batch, dps: { id: { data: Float32Array.from([0, 1, 2, 3, 4]), components: 1 } } };
    const out = filterBatch(
      withData,
      compileSelection(parseSelectionRecipe({ rules: [{ kind: 'include', mask: join(dir, 'mask.nii') }] })),
    );
    expect([...(out.dps['id']?.data ?? [])]).toEqual([0, 1]);
    expect(out.offsets[out.count]).toBe(42);
  });

  it('prints the equivalent tckedit command, chaining when ends-only and whole-streamline rules mix', () => {
    const recipe = parseSelectionRecipe(
      {
        rules: [
          { kind: 'include', sphere: [-1.5, 2, 3, 4] },
          { kind: 'exclude', mask: "csf mask's.nii" },
          { kind: 'length', min: 10 },
        ],
      },
      '/data',
    );
    expect(tckeditCommand(recipe, 'in.tck', 'out.tck')).toBe(
      `tckedit in.tck out.tck -include -1.5,2,3,4 -exclude '/data/csf mask'\\''s.nii' -minlength 10`,
    );
    const mixed = parseSelectionRecipe({
      rules: [
        { kind: 'include', sphere: [0, 0, 0, 1] },
        { kind: 'include', sphere: [9, 9, 9, 2], endsOnly: true },
      ],
    });
    expect(tckeditCommand(mixed, 'a.tck', 'b.tck')).toBe(
      'tckedit a.tck b.step1.tck -include 0,0,0,1 && tckedit b.step1.tck b.tck -include 9,9,9,2 -ends_only',
    );
  });

  it('rejects bad recipes with the field at fault', () => {
    expect(() => parseSelectionRecipe({ rules: [{ kind: 'include', sphere: [0, 0, 0, -1] }] })).toThrow(
      /radius must be positive/,
    );
    expect(() => parseSelectionRecipe({ rules: [{ kind: 'include' }] })).toThrow(
      /exactly one of "sphere" or "mask"/,
    );
    expect(() => parseSelectionRecipe({ rules: [{ kind: 'length', min: 5, max: 1 }] })).toThrow(
      /min 5 above max 1/,
    );
    expect(() => parseSelectionRecipe({ rules: [{ kind: 'sideways' }] })).toThrow(/rules\.0/);
    expect(() => parseSelectionRecipe({ rules: [] })).toThrow(/at least one rule/);
  });
});

describe('along-tract profiles', () => {
  it('resamples by arc length and flips reversed streamlines onto one centroid', () => {
    const r = resampleStreamline(batch, 0, 5);
    expect([...r].filter((_, i) => i % 3 === 0)).toEqual([0, 5, 10, 15, 20]);
    const pair = lines([
      [0, 20, 0],
      [20, 0, 2],
    ]);
    const c = bundleCentroid(pair, 3);
    expect([...c]).toEqual([0, 1, 0, 10, 1, 0, 20, 1, 0]);
  });

  it('assigns points to the nearest centroid node and averages the scalar per node', () => {
    const pair = lines([
      [0, 20, 0],
      [20, 0, 2],
    ]);
    const profile = tractProfile(pair, (x) => x, 3);
    // Nodes at x = 0, 10, 20: points x <= 5 go to node 0 (mean 2.5), 6..15 to node 1, 16..20 to node 2.
    expect([...profile.counts]).toEqual([12, 20, 10]);
    expect([...profile.values]).toEqual([2.5, 10.5, 18]);
  });
});
