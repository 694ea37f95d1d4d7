import { describe, expect, it } from 'vitest';
import { encodeNifti1 } from '../demo/nifti1.js';
import { decodeNiftiFirstVolume } from '../imaging/nifti-volume.js';
import { previewNifti } from './preview-volume.js';

/** World mm of voxel (i, j, k) through a row-major 4x4 affine. */
function world(a: Float64Array, i: number, j: number, k: number): number[] {
  return [0, 1, 2].map(
    (r) => (a[4 * r] ?? 0) * i + (a[4 * r + 1] ?? 0) * j + (a[4 * r + 2] ?? 0) * k + (a[4 * r + 3] ?? 0),
  );
}

describe('previewNifti', () => {
  const dims = [40, 30, 20];
  const data = Float32Array.from({ length: 40 * 30 * 20 }, (_, v) => v);
  const image = decodeNiftiFirstVolume(
    encodeNifti1({ dims, pixdim: [1.5, 2, 2.5], datatype: 'float32', data }),
    'grid.nii',
  );

  it('keeps every f-th voxel with its value at its own world position', () => {
    const bytes = previewNifti(image, 3000);
    if (bytes === null) throw new Error('no preview');
    const preview = decodeNiftiFirstVolume(bytes, 'preview.nii');
    // 40x30x20 = 24,000 voxels: f = 2 gives 20x15x10 = 3,000.
    expect(preview.dims).toEqual([20, 15, 10]);
    expect(preview.voxelSizes).toEqual([3, 4, 5]);
    for (const [i, j, k] of [
      [0, 0, 0],
      [19, 14, 9],
      [7, 3, 5],
    ] as const) {
      // The kept voxel of block (i, j, k) is the original's (2i, 2j, 2k) (the block's first, f = 2).
      const [x, y, z] = [2 * i, 2 * j, 2 * k];
      expect(preview.data[i + 20 * (j + 15 * k)]).toBe(data[x + 40 * (y + 30 * z)]);
      const got = world(preview.affine, i, j, k);
      world(image.affine, x, y, z).forEach((v, a) => expect(got[a]).toBeCloseTo(v, 4));
    }
  });

  it('sends a small image whole (no preview)', () => {
    expect(previewNifti(image, 24_000)).toBeNull();
  });
});
