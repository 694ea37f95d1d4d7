import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTracts, writeTracts } from '../../src/tracts/index.js';
import { writeNifti } from '../helpers/write-nifti.js';

const DATA = fileURLToPath(new URL('../../test-data/', import.meta.url));

/** The phantom's grid: 40 x 50 x 31 voxels of 2 mm, x flipped (LAS), origin off-centre. */
export const PHANTOM = {
  dims: [40, 50, 31] as const,
  affine: [-2, 0, 0, 40, 0, 2, 0, -60, 0, 0, 2, -20, 0, 0, 0, 1],
  /** The voxel both streamlines cross: one runs along x through (*, 20, 15), one along y through (12, *, 15). */
  crossing: [12, 20, 15] as const,
};

/** World mm of a phantom voxel centre. */
export function phantomMm(i: number, j: number, k: number): [number, number, number] {
  const a = PHANTOM.affine;
  return [(a[0] ?? 0) * i + (a[3] ?? 0), (a[5] ?? 0) * j + (a[7] ?? 0), (a[10] ?? 0) * k + (a[11] ?? 0)];
}

/** Study-relative paths of the fixture's files (study S01#20240101). */
export const FILES = {
  t1: 'S01/20240101/anat/t1.nii.gz',
  brain: 'S01/20240101/anat/brain.nii.gz',
  fmri: 'S01/20240101/func/bold.nii.gz',
  bundle: 'S01/20240101/dwi/AF_L.trk',
  phantom: 'S01/20240101/phantom ü/grid.nii.gz',
  cross: "S01/20240101/phantom ü/cross 'x'.trk",
  /** A box mask (2 mm grid) around the middle of the bundle's first streamline. */
  box: 'S01/20240101/masks/box (mid AF).nii.gz',
} as const;

/** A point of the bundle's streamline `s` at `fraction` of its points (world mm, rounded to 0.1). */
export function bundlePoint(root: string, s: number, fraction: number): [number, number, number] {
  const bundle = readTracts(join(root, FILES.bundle));
  const [a = 0, b = 0] = [bundle.offsets[s], bundle.offsets[s + 1]];
  const k = Math.floor(a + (b - 1 - a) * fraction);
  const p = bundle.positions;
  return [p[3 * k], p[3 * k + 1], p[3 * k + 2]].map((v) => Math.round((v ?? 0) * 10) / 10) as [
    number,
    number,
    number,
  ];
}

/**
 * A project tree for the viewer: Colin27 and its brain (mricron-data) as T1 and mask, a 4D image, a
 * dipy bundle, and a synthetic phantom with two straight streamlines in TRK (voxmm, the format users
 * most often see misaligned) on a flipped, shifted grid. Names with a space, a quote and unicode.
 */
export function writeViewerTree(root: string): void {
  for (const path of Object.values(FILES)) mkdirSync(join(root, path, '..'), { recursive: true });
  copyFileSync(join(DATA, 'templates/ch2.nii.gz'), join(root, FILES.t1));
  copyFileSync(join(DATA, 'templates/ch2bet.nii.gz'), join(root, FILES.brain));
  copyFileSync(join(DATA, 'nifti/example4d.nii.gz'), join(root, FILES.fmri));
  copyFileSync(join(DATA, 'tracts/bundles/sub_1/AF_L.trk'), join(root, FILES.bundle));
  // The box: 8 mm either side of the middle of the first streamline, on a 2 mm grid of 9^3 voxels.
  const [cx, cy, cz] = bundlePoint(root, 0, 0.5);
  writeNifti(join(root, FILES.box), {
    dims: [9, 9, 9],
    affine: [2, 0, 0, cx - 8, 0, 2, 0, cy - 8, 0, 0, 2, cz - 8, 0, 0, 0, 1],
    data: new Uint8Array(9 * 9 * 9).fill(1),
  });
  const [nx, ny, nz] = PHANTOM.dims;
  writeNifti(join(root, FILES.phantom), {
    dims: PHANTOM.dims,
    affine: PHANTOM.affine,
    // A ramp along x (50 + i): a grey image, and the value tells the voxel.
    data: Float32Array.from({ length: nx * ny * nz }, (_, v) => 50 + (v % nx)),
  });
  const [ci, cj, ck] = PHANTOM.crossing;
  const line = (from: [number, number, number], to: [number, number, number], n: number): number[] =>
    Array.from({ length: n }, (_, t) =>
      phantomMm(...(from.map((f, a) => f + ((to[a] ?? 0) - f) * (t / (n - 1))) as [number, number, number])),
    ).flat();
  const alongX = line([2, cj, ck], [nx - 3, cj, ck], 36);
  const alongY = line([ci, 3, ck], [ci, ny - 4, ck], 44);
  writeTracts(join(root, FILES.cross), {
    positions: Float32Array.from([...alongX, ...alongY]),
    offsets: Float64Array.from([0, 36, 80]),
    count: 2,
    dpp: {},
    dps: {},
    space: {
      dims: PHANTOM.dims,
      voxelSizes: [2, 2, 2],
      affine: Float64Array.from(PHANTOM.affine),
    },
    properties: {},
  });
}
