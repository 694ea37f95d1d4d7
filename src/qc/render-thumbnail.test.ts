import { describe, expect, it } from 'vitest';
import { decodePng } from '../../test/helpers/decode-png.js';
import { invert4 } from '../imaging/nifti-affine.js';
import type { NiftiVolume } from '../imaging/nifti-volume.js';
import { encodePng } from './encode-png.js';
import { renderThumbnail } from './render-thumbnail.js';
import { thumbnailOptions } from './thumbnail-options.js';

/** A 10x12x8 volume of 2 mm voxels, with a bright marker at the patient's left, anterior, superior corner. */
function markedVolume(storage: 'RAS' | 'LPS'): NiftiVolume {
  const dims = [10, 12, 8] as const;
  const flip = storage === 'LPS' ? -1 : 1;
  // LPS storage of the same grid: the voxel axes run the other way from the opposite corner.
  const [ox, oy] = storage === 'LPS' ? [2 * (dims[0] - 1), 2 * (dims[1] - 1)] : [0, 0];
  const affine = Float64Array.from([2 * flip, 0, 0, ox, 0, 2 * flip, 0, oy, 0, 0, 2, 0, 0, 0, 0, 1]);
  const data = new Float64Array(dims[0] * dims[1] * dims[2]).fill(10);
  // World left (x < 0 in RAS) is voxel i small in RAS storage, large in LPS storage.
  const left = storage === 'RAS' ? 1 : dims[0] - 2;
  const anterior = storage === 'RAS' ? dims[1] - 2 : 1;
  for (let k = 0; k < dims[2]; k++) data[left + dims[0] * (anterior + dims[1] * k)] = 100;
  return {
    path: `marked-${storage}.nii`,
    dims,
    volumes: 1,
    voxelSizes: [2, 2, 2],
    affine,
    inverse: invert4(affine),
    data,
    header: new Uint8Array(348),
    littleEndian: true,
    version: 1,
  };
}

const at = (p: { width: number; pixels: Uint8Array }, column: number, row: number): number =>
  p.pixels[row * p.width + column] ?? -1;

describe('renderThumbnail', () => {
  for (const storage of ['RAS', 'LPS'] as const) {
    it(`puts the patient's left on the screen's left (neurological) or right (radiological), ${storage} storage`, () => {
      const volume = markedVolume(storage);
      const neuro = renderThumbnail(volume, thumbnailOptions({ size: 12, windowLow: 0, windowHigh: 100 }));
      expect([neuro.width, neuro.height]).toEqual([10, 12]);
      // Anterior at the top: row 1; patient's left on the left: column 1.
      expect(at(neuro, 1, 1)).toBe(255);
      expect(at(neuro, 8, 1)).toBe(26);
      const radio = renderThumbnail(
        volume,
        thumbnailOptions({ size: 12, windowLow: 0, windowHigh: 100, orientation: 'radiological' }),
      );
      expect(at(radio, 8, 1)).toBe(255);
      expect(at(radio, 1, 1)).toBe(26);
    });
  }

  it('keeps millimetres square and lays several slices out as a mosaic', () => {
    const volume = markedVolume('RAS');
    const coronal = renderThumbnail(volume, thumbnailOptions({ axis: 'coronal', size: 20 }));
    // 20 mm across (10 voxels of 2 mm) and 16 mm high (8 slices): 20 x 16 pixels.
    expect([coronal.width, coronal.height]).toEqual([20, 16]);
    const mosaic = renderThumbnail(volume, thumbnailOptions({ slices: 3, size: 12 }));
    expect(mosaic.sliceIndices).toEqual([2, 4, 5]);
    expect([mosaic.width, mosaic.height]).toEqual([3 * 10 + 2 * 2, 12]);
  });

  it('chooses a window from zero to the 99th percentile of the shown voxels by default', () => {
    const drawn = renderThumbnail(markedVolume('RAS'), thumbnailOptions({ size: 12 }));
    expect(drawn.window).toEqual([0, 10]);
  });

  it('blends an overlay on another grid at the same world position', () => {
    const volume = markedVolume('RAS');
    const mask = markedVolume('LPS');
    const data = new Float64Array(mask.data.length).map((_, i) => (mask.data[i] === 100 ? 1 : 0));
    const drawn = renderThumbnail(volume, thumbnailOptions({ size: 12, windowLow: 0, windowHigh: 100 }), {
      ...mask,
      data,
    });
    expect(drawn.channels).toBe(3);
    const rgb = (c: number, r: number): number[] => [
      ...drawn.pixels.subarray((r * 10 + c) * 3, (r * 10 + c) * 3 + 3),
    ];
    // The LPS mask marks the same world voxel: red over white there, plain grey elsewhere.
    expect(rgb(1, 1)).toEqual([255, 140, 140]);
    expect(rgb(5, 5)).toEqual([26, 26, 26]);
  });
});

describe('encodePng', () => {
  it('writes pixels a PNG decoder reads back, for grey, RGB and RGBA', () => {
    for (const channels of [1, 3, 4] as const) {
      const pixels = Uint8Array.from({ length: 7 * 5 * channels }, (_, i) => (i * 37) % 256);
      const decoded = decodePng(encodePng(7, 5, channels, pixels));
      expect(decoded).toEqual({ width: 7, height: 5, channels, pixels });
    }
  });

  it('refuses a pixel buffer of the wrong size', () => {
    expect(() => encodePng(2, 2, 1, new Uint8Array(3))).toThrow(/expected 4 bytes/);
  });
});
