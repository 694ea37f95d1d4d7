import { describe, expect, it } from 'vitest';
import type { NiftiVolume } from '../imaging/nifti-volume.js';
import { TrackMapper } from './track-map.js';
import type { StreamlineBatch } from './tractogram.js';

/** A grid of `n`³ 1 mm voxels with voxel = world coordinates, large enough to span several count blocks. */
function grid(n: number): NiftiVolume {
  const identity = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  return { dims: [n, n, n], inverse: identity } as unknown as NiftiVolume;
}

function batch(streamlines: readonly (readonly [number, number, number][])[]): StreamlineBatch {
  const offsets = new Float64Array(streamlines.length + 1);
  streamlines.forEach((s, i) => (offsets[i + 1] = (offsets[i] ?? 0) + s.length));
  const positions = Float32Array.from(streamlines.flat(2));
  return { positions, offsets, count: streamlines.length, dpp: {}, dps: {} };
}

describe('TrackMapper (visit map)', () => {
  const n = 40; // 64,000 voxels: eight count blocks of 8,192
  const at = (counts: Float32Array, x: number, y: number, z: number): number =>
    counts[x + n * (y + n * z)] ?? NaN;

  it('counts a streamline once per voxel, also when it leaves and comes back, across batches', () => {
    const mapper = new TrackMapper(grid(n), { kind: 'visit' });
    mapper.add(
      batch([
        [
          [1, 1, 1],
          [1.2, 1, 1],
          [2, 1, 1],
          [1, 1.1, 1],
          [39, 39, 39],
          [1, 1, 1],
        ], // revisits (1,1,1) twice
        [
          [1, 1, 1],
          [50, 50, 50],
          [39, 39, 39],
        ], // one point outside the grid
      ]),
    );
    mapper.add(
      batch([
        [
          [39, 39, 39],
          [2, 1, 1],
        ],
        [[2.4, 0.6, 1.4]],
      ]),
    );
    const counts = mapper.counts;
    expect(at(counts, 1, 1, 1)).toBe(2);
    expect(at(counts, 2, 1, 1)).toBe(3);
    expect(at(counts, 39, 39, 39)).toBe(3);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(8);
  });

  it('gives the same map as counting point by point, on random walks over the whole grid', () => {
    let seed = 3;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const walks = Array.from({ length: 500 }, () => {
      let [x, y, z] = [random() * n, random() * n, random() * n];
      return Array.from({ length: 40 }, (): [number, number, number] => {
        [x, y, z] = [x + random() * 3 - 1.5, y + random() * 3 - 1.5, z + random() * 3 - 1.5];
        return [x, y, z];
      });
    });
    const mapper = new TrackMapper(grid(n), { kind: 'visit' });
    mapper.add(batch(walks.slice(0, 200)));
    mapper.add(batch(walks.slice(200)));
    const expected = new Float32Array(n * n * n);
    const round = (v: number): number => Math.floor(Math.fround(v) + 0.5);
    for (const walk of walks) {
      const seen = new Set<number>();
      for (const [x, y, z] of walk) {
        const [i, j, k] = [round(x), round(y), round(z)];
        if (Math.min(i, j, k) < 0 || Math.max(i, j, k) >= n) continue;
        seen.add(i + n * (j + n * k));
      }
      for (const v of seen) expected[v] = (expected[v] ?? 0) + 1;
    }
    expect(Array.from(mapper.counts)).toEqual(Array.from(expected));
  });
});
