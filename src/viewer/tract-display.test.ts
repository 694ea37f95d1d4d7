import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readTracts, selectTracts } from '../tracts/index.js';
import type { StreamlineBatch } from '../tracts/tractogram.js';
import { parseSelectionRecipe } from '../tracts/selection-recipe.js';
import { displayMesh, selectionStats } from './tract-display.js';
import { decodeTractMesh, encodeTractMesh } from './tract-mesh-format.js';

const DATA = fileURLToPath(new URL('../../test-data/tracts/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cohort-viewer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `count` streamlines, streamline i has `i % 7 + 2` points at (i, k, 0). */
function synthetic(count: number): StreamlineBatch {
  const offsets = new Float64Array(count + 1);
  for (let i = 0; i < count; i++) offsets[i + 1] = (offsets[i] ?? 0) + (i % 7) + 2;
  const positions = new Float32Array((offsets[count] ?? 0) * 3);
  for (let i = 0; i < count; i++)
    for (let k = offsets[i] ?? 0; k < (offsets[i + 1] ?? 0); k++) {
      positions[3 * k] = i;
      positions[3 * k + 1] = k - (offsets[i] ?? 0);
    }
  return { positions, offsets, count, dpp: {}, dps: {} };
}

describe('display meshes', () => {
  it('keeps every streamline, the first included, when under the limit (niivue 0.69 TCK reader drops it)', () => {
    const tck = readTracts(join(DATA, 'standard.tck'));
    const mesh = decodeTractMesh(encodeTractMesh(displayMesh(tck)).slice().buffer);
    expect(mesh.header).toMatchObject({ total: tck.count, shown: tck.count, stride: 1, scalar: null });
    expect(mesh.offsets.length).toBe(tck.count + 1);
    expect([...mesh.positions.subarray(0, 6)]).toEqual([...tck.positions.subarray(0, 6)].map(Math.fround));
    expect(mesh.offsets[tck.count]).toBe(tck.offsets[tck.count]);
  });

  it('decimates whole streamlines to at most the vertex limit and says how many it shows', () => {
    const batch = synthetic(1000);
    const totalVertices = batch.offsets[1000] ?? 0;
    for (const limit of [totalVertices, 2000, 999, 10]) {
      const mesh = displayMesh(batch, { maxVertices: limit });
      expect(mesh.header.vertices).toBeLessThanOrEqual(limit);
      expect(mesh.header.totalVertices).toBe(totalVertices);
      expect(mesh.header.shown).toBe(Math.ceil(1000 / mesh.header.stride));
      // Every streamline shown is whole: its points are those of streamline k * stride.
      const k = mesh.header.shown - 1;
      const s = k * mesh.header.stride;
      expect(mesh.positions[3 * (mesh.offsets[k] ?? 0)]).toBe(s);
      expect((mesh.offsets[k + 1] ?? 0) - (mesh.offsets[k] ?? 0)).toBe((s % 7) + 2);
    }
    expect(displayMesh(batch, { maxVertices: totalVertices }).header.stride).toBe(1);
  });

  it('samples a scalar at every vertex shown, with its range', () => {
    const mesh = displayMesh(synthetic(10), { sample: (x, y) => x + y });
    expect(mesh.scalar?.length).toBe(mesh.header.vertices);
    expect(mesh.scalar?.[3]).toBe(1 + 1); // streamline 1's second point: x 1, y 1
    // Largest x + y: streamline 6 (8 points, y up to 7).
    expect(mesh.header.scalar).toEqual({ min: 0, max: 6 + 7 });
  });

  it('refuses a cut buffer', () => {
    const bytes = encodeTractMesh(displayMesh(synthetic(10)));
    expect(() => decodeTractMesh(bytes.slice(0, bytes.length - 4).buffer)).toThrow(/cut short/);
  });
});

describe('selection statistics', () => {
  it('selects what `cohort tracts select` keeps, with the mean length of the selected', () => {
    const file = join(DATA, 'bundles/sub_1/AF_L.trk');
    const tracts = readTracts(file);
    // A sphere on the middle of the first streamline: some streamlines pass it, not all.
    const mid = Math.floor(((tracts.offsets[0] ?? 0) + (tracts.offsets[1] ?? 0)) / 2);
    const centre = [0, 1, 2].map((a) => tracts.positions[3 * mid + a] ?? 0);
    const recipe = parseSelectionRecipe({ rules: [{ kind: 'include', sphere: [...centre, 6] }] });
    const stats = selectionStats(tracts, recipe, () => 2);
    const cli = selectTracts(file, join(dir, 'af.tck'), recipe);
    expect(stats.indices.length).toBe(cli.kept);
    expect(cli.kept).toBeGreaterThan(0);
    expect(cli.kept).toBeLessThan(tracts.count);
    const selected = readTracts(join(dir, 'af.tck'));
    let sum = 0;
    for (let i = 0; i < selected.count; i++) {
      const [a, b] = [selected.offsets[i] ?? 0, selected.offsets[i + 1] ?? 0];
      for (let k = a + 1; k < b; k++) {
        const p = selected.positions;
        sum += Math.hypot(
          (p[3 * k] ?? 0) - (p[3 * k - 3] ?? 0),
          (p[3 * k + 1] ?? 0) - (p[3 * k - 2] ?? 0),
          (p[3 * k + 2] ?? 0) - (p[3 * k - 1] ?? 0),
        );
      }
    }
    // float32 sums (as tckstats) against float64 here: well under a micrometre per streamline.
    expect(stats.meanLength).toBeCloseTo(sum / selected.count, 3);
    expect(stats.meanScalar).toBeCloseTo(2, 10);
  });
});
