import { streamlineLength } from '../tracts/length-stats.js';
import { sampleMeans } from '../tracts/sample-image.js';
import { compileSelection } from '../tracts/select-streamlines.js';
import type { SelectionRecipe } from '../tracts/selection-recipe.js';
import type { StreamlineBatch } from '../tracts/tractogram.js';
import type { TractMesh } from './tract-mesh-format.js';

/** Most vertices sent to the browser at once (the limit: a WebGL buffer of 10M vertices). */
export const MAX_DISPLAY_VERTICES = 10_000_000;

/** A scalar image as a function of world mm (tracts/sample-image.ts's trilinear sampler). */
export type Sampler = (x: number, y: number, z: number) => number;

/** Options of {@link displayMesh}. */
export interface DisplayOptions {
  /** Vertex limit (default and maximum {@link MAX_DISPLAY_VERTICES}). */
  readonly maxVertices?: number;
  /** Sampled at every vertex shown, for colour by scalar. */
  readonly sample?: Sampler;
}

/**
 * The streamlines `indices` of a batch (default all) as a mesh for the viewer, decimated by taking every
 * `stride`-th streamline (whole streamlines, so each one shown is exact) with the smallest stride that
 * keeps the vertices under the limit.
 */
export function displayMesh(
  batch: StreamlineBatch,
  options: DisplayOptions = {},
  indices?: readonly number[],
): TractMesh {
  const limit = Math.min(options.maxVertices ?? MAX_DISPLAY_VERTICES, MAX_DISPLAY_VERTICES);
  const at = (n: number): number => (indices === undefined ? n : (indices[n] ?? 0));
  const total = indices === undefined ? batch.count : indices.length;
  const size = (s: number): number => (batch.offsets[s + 1] ?? 0) - (batch.offsets[s] ?? 0);
  let totalVertices = 0;
  for (let n = 0; n < total; n++) totalVertices += size(at(n));
  let stride = Math.max(1, Math.ceil(totalVertices / Math.max(1, limit)));
  // Streamlines differ in length: a stride's share may still overshoot; widen it until it fits.
  for (;;) {
    let v = 0;
    for (let n = 0; n < total; n += stride) v += size(at(n));
    if (v <= limit) break;
    stride++;
  }
  const shown = Math.ceil(total / stride);
  const offsets = new Uint32Array(shown + 1);
  for (let k = 0; k < shown; k++) offsets[k + 1] = (offsets[k] ?? 0) + size(at(k * stride));
  const vertices = offsets[shown] ?? 0;
  const positions = new Float32Array(vertices * 3);
  for (let k = 0; k < shown; k++) {
    const s = at(k * stride);
    positions.set(
      batch.positions.subarray((batch.offsets[s] ?? 0) * 3, (batch.offsets[s + 1] ?? 0) * 3),
      (offsets[k] ?? 0) * 3,
    );
  }
  let scalar: Float32Array | null = null;
  let range: TractMesh['header']['scalar'] = null;
  if (options.sample !== undefined) {
    scalar = new Float32Array(vertices);
    let [min, max] = [Infinity, -Infinity];
    for (let v = 0; v < vertices; v++) {
      const value = options.sample(
        positions[3 * v] ?? 0,
        positions[3 * v + 1] ?? 0,
        positions[3 * v + 2] ?? 0,
      );
      scalar[v] = value;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    range = vertices === 0 ? { min: 0, max: 0 } : { min, max };
  }
  return {
    header: { total, totalVertices, shown, vertices, stride, scalar: range },
    positions,
    offsets,
    scalar,
  };
}

/** Statistics of a selection (the viewer's live figures). */
export interface SelectionStats {
  readonly indices: number[];
  readonly meanLength: number | null;
  readonly meanScalar: number | null;
}

/**
 * Runs a recipe over a whole tractogram (tracts/select-streamlines.ts, the code `cohort tracts select`
 * runs, so the viewer's count equals the CLI's) and averages the selected streamlines' lengths and, with
 * a sampler, their length-weighted scalar means (as `cohort tracts stats`).
 */
export function selectionStats(
  batch: StreamlineBatch,
  recipe: SelectionRecipe,
  sample?: Sampler,
): SelectionStats {
  const test = compileSelection(recipe);
  const indices: number[] = [];
  let lengthSum = 0;
  let lengthN = 0;
  for (let i = 0; i < batch.count; i++) {
    if (!test(batch, i)) continue;
    indices.push(i);
    const length = streamlineLength(batch, i);
    if (Number.isFinite(length)) {
      lengthSum += length;
      lengthN++;
    }
  }
  let meanScalar: number | null = null;
  if (sample !== undefined && indices.length > 0) {
    const means = sampleMeans(subset(batch, indices), sample);
    let [sum, n] = [0, 0];
    for (const m of means) {
      if (!Number.isFinite(m)) continue;
      sum += m;
      n++;
    }
    meanScalar = n > 0 ? sum / n : null;
  }
  return { indices, meanLength: lengthN > 0 ? lengthSum / lengthN : null, meanScalar };
}

/** A view of some streamlines sharing the positions (sampleMeans reads offsets and positions only). */
function subset(batch: StreamlineBatch, indices: readonly number[]): StreamlineBatch {
  // Rebuild compact positions: sampleMeans walks offsets[i]..offsets[i+1] contiguously.
  let points = 0;
  for (const s of indices) points += (batch.offsets[s + 1] ?? 0) - (batch.offsets[s] ?? 0);
  const positions = new Float32Array(points * 3);
  const offsets = new Float64Array(indices.length + 1);
  indices.forEach((s, n) => {
    const [a, b] = [batch.offsets[s] ?? 0, batch.offsets[s + 1] ?? 0];
    positions.set(batch.positions.subarray(a * 3, b * 3), (offsets[n] ?? 0) * 3);
    offsets[n + 1] = (offsets[n] ?? 0) + b - a;
  });
  return { positions, offsets, count: indices.length, dpp: {}, dps: {} };
}
