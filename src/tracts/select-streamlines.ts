import { readNiftiVolume, type NiftiVolume } from '../imaging/nifti-volume.js';
import { streamlineLength } from './length-stats.js';
import type { Region, SelectionRecipe } from './selection-recipe.js';
import type { DataArray, StreamlineBatch } from './tractogram.js';

const f = Math.fround;
/** C's `round`: halves away from zero (JavaScript's Math.round takes -0.5 to 0). */
const round = (v: number): number => (v < 0 ? -Math.floor(0.5 - v) : Math.floor(v + 0.5));

type PointTest = (x: number, y: number, z: number) => boolean;

/** A region as a point test: spheres in float32 as MRtrix; masks by the voxel a point rounds to, non-zero inside. */
function regionTest(region: Region, masks: Map<string, NiftiVolume>): PointTest {
  if ('sphere' in region) {
    const [cx, cy, cz, r] = region.sphere.map(f) as [number, number, number, number];
    const r2 = f(r * r);
    return (x, y, z) => {
      const dx = f(x - cx);
      const dy = f(y - cy);
      const dz = f(z - cz);
      return f(f(f(dx * dx) + f(dy * dy)) + f(dz * dz)) <= r2;
    };
  }
  let volume = masks.get(region.mask);
  if (volume === undefined) {
    volume = readNiftiVolume(region.mask);
    masks.set(region.mask, volume);
  }
  const v = volume;
  const m = Float32Array.from(v.inverse.subarray(0, 12));
  const [nx, ny, nz] = v.dims;
  const axis = (r: number, x: number, y: number, z: number): number =>
    round(
      f(
        f(f(f((m[4 * r] ?? 0) * x) + f((m[4 * r + 1] ?? 0) * y)) + f((m[4 * r + 2] ?? 0) * z)) +
          (m[4 * r + 3] ?? 0),
      ),
    );
  return (x, y, z) => {
    const i = axis(0, x, y, z);
    const j = axis(1, x, y, z);
    const k = axis(2, x, y, z);
    if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) return false;
    return (v.data[i + nx * (j + ny * k)] ?? 0) !== 0;
  };
}

/** Whether streamline `i` of a batch passes every rule of the recipe. */
export type StreamlineTest = (batch: StreamlineBatch, i: number) => boolean;

/** Compiles a recipe (loading each mask once). */
export function compileSelection(recipe: SelectionRecipe): StreamlineTest {
  const masks = new Map<string, NiftiVolume>();
  const tests = recipe.rules.map((rule): StreamlineTest => {
    if (rule.kind === 'length') {
      const min = rule.min ?? -Infinity;
      const max = rule.max ?? Infinity;
      return (b, i) => {
        const length = streamlineLength(b, i);
        return length >= min && length <= max;
      };
    }
    if (rule.kind === 'ordered') {
      const regions = rule.regions.map((r) => regionTest(r, masks));
      // Regions must be entered in the given order along the stored point order.
      return (b, i) => {
        let next = 0;
        forPoints(b, i, false, (x, y, z) => {
          if (next < regions.length && regions[next]?.(x, y, z) === true) next++;
          return next === regions.length;
        });
        return next === regions.length;
      };
    }
    const inside = regionTest(rule.region, masks);
    const want = rule.kind === 'include';
    return (b, i) => forPoints(b, i, rule.endsOnly, inside) === want;
  });
  return (b, i) => tests.every((test) => test(b, i));
}

/** Calls `test` on the points (or just the two ends) until it returns true; returns whether it did. */
function forPoints(b: StreamlineBatch, i: number, endsOnly: boolean, test: PointTest): boolean {
  const p = b.positions;
  const first = b.offsets[i] ?? 0;
  const last = b.offsets[i + 1] ?? 0;
  if (last === first) return false;
  if (endsOnly) {
    return (
      test(p[3 * first] ?? 0, p[3 * first + 1] ?? 0, p[3 * first + 2] ?? 0) ||
      test(p[3 * last - 3] ?? 0, p[3 * last - 2] ?? 0, p[3 * last - 1] ?? 0)
    );
  }
  for (let k = first; k < last; k++)
    if (test(p[3 * k] ?? 0, p[3 * k + 1] ?? 0, p[3 * k + 2] ?? 0)) return true;
  return false;
}

/** The streamlines of a batch that pass `test`, with their per-point and per-streamline data. */
export function filterBatch(
  batch: StreamlineBatch,
  test: StreamlineTest,
): StreamlineBatch & { readonly kept: number[] } {
  const kept: number[] = [];
  for (let i = 0; i < batch.count; i++) if (test(batch, i)) kept.push(i);
  return { ...takeStreamlines(batch, kept), kept };
}

/** A batch of the streamlines at `indices` (in that order). */
export function takeStreamlines(batch: StreamlineBatch, indices: readonly number[]): StreamlineBatch {
  const offsets = new Float64Array(indices.length + 1);
  indices.forEach(
    (s, n) => (offsets[n + 1] = (offsets[n] ?? 0) + (batch.offsets[s + 1] ?? 0) - (batch.offsets[s] ?? 0)),
  );
  const points = offsets[indices.length] ?? 0;
  const positions =
    batch.positions instanceof Float64Array ? new Float64Array(points * 3) : new Float32Array(points * 3);
  indices.forEach((s, n) =>
    positions.set(
      batch.positions.subarray((batch.offsets[s] ?? 0) * 3, (batch.offsets[s + 1] ?? 0) * 3),
      (offsets[n] ?? 0) * 3,
    ),
  );
  const take = (
    arrays: Readonly<Record<string, DataArray>>,
    perPoint: boolean,
  ): Record<string, DataArray> => {
    const out: Record<string, DataArray> = {};
    for (const [name, a] of Object.entries(arrays)) {
      const c = a.components;
      const size = perPoint ? points * c : indices.length * c;
      const data = a.data instanceof Float64Array ? new Float64Array(size) : new Float32Array(size);
      indices.forEach((s, n) => {
        const [from, to, at] = perPoint
          ? [batch.offsets[s] ?? 0, batch.offsets[s + 1] ?? 0, offsets[n] ?? 0]
          : [s, s + 1, n];
        data.set(a.data.subarray(from * c, to * c), at * c);
      });
      out[name] = { ...a, data };
    }
    return out;
  };
  return {
    positions,
    offsets,
    count: indices.length,
    dpp: take(batch.dpp, true),
    dps: take(batch.dps, false),
  };
}
