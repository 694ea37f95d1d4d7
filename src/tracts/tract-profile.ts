import type { StreamlineBatch } from './tractogram.js';

/** An along-tract profile: per node of the bundle's centroid, the mean of a scalar over the points nearest to it. */
export interface TractProfile {
  readonly nodes: number;
  /** Mean value per node (NaN where no point was nearest). */
  readonly values: Float64Array;
  /** Points assigned per node. */
  readonly counts: Int32Array;
  /** The centroid streamline, x, y, z per node. */
  readonly centroid: Float64Array;
}

/** Resamples streamline `i` to `n` points equally spaced along its length (linear between vertices). */
export function resampleStreamline(batch: StreamlineBatch, i: number, n: number): Float64Array {
  const p = batch.positions;
  const first = batch.offsets[i] ?? 0;
  const last = batch.offsets[i + 1] ?? 0;
  const m = last - first;
  const out = new Float64Array(n * 3);
  if (m === 0) return out.fill(NaN);
  const cumulative = new Float64Array(m);
  for (let k = 1; k < m; k++) {
    const a = 3 * (first + k - 1);
    cumulative[k] =
      (cumulative[k - 1] ?? 0) +
      Math.hypot(
        (p[a + 3] ?? 0) - (p[a] ?? 0),
        (p[a + 4] ?? 0) - (p[a + 1] ?? 0),
        (p[a + 5] ?? 0) - (p[a + 2] ?? 0),
      );
  }
  const total = cumulative[m - 1] ?? 0;
  let k = 0;
  for (let j = 0; j < n; j++) {
    const target = n === 1 ? 0 : (total * j) / (n - 1);
    while (k < m - 2 && (cumulative[k + 1] ?? 0) < target) k++;
    const span = (cumulative[k + 1] ?? 0) - (cumulative[k] ?? 0);
    const t = m === 1 || span === 0 ? 0 : Math.min(1, Math.max(0, (target - (cumulative[k] ?? 0)) / span));
    const a = 3 * (first + k);
    const b = m === 1 ? a : a + 3;
    for (let c = 0; c < 3; c++) out[3 * j + c] = (p[a + c] ?? 0) + t * ((p[b + c] ?? 0) - (p[a + c] ?? 0));
  }
  return out;
}

/**
 * The centroid of a bundle: every streamline resampled to `nodes` points, flipped where that brings it
 * closer to the first one (streamlines of a bundle run either way), then averaged node by node, as
 * QuickBundles' single-cluster centroid that dipy's BUAN profiles use.
 */
export function bundleCentroid(batch: StreamlineBatch, nodes = 100): Float64Array {
  const sum = new Float64Array(nodes * 3);
  let reference: Float64Array | undefined;
  let used = 0;
  for (let i = 0; i < batch.count; i++) {
    if ((batch.offsets[i + 1] ?? 0) === (batch.offsets[i] ?? 0)) continue;
    const s = resampleStreamline(batch, i, nodes);
    reference ??= s;
    let forward = 0;
    let backward = 0;
    for (let j = 0; j < nodes; j++) {
      const r = nodes - 1 - j;
      forward += Math.hypot(
        (s[3 * j] ?? 0) - (reference[3 * j] ?? 0),
        (s[3 * j + 1] ?? 0) - (reference[3 * j + 1] ?? 0),
        (s[3 * j + 2] ?? 0) - (reference[3 * j + 2] ?? 0),
      );
      backward += Math.hypot(
        (s[3 * r] ?? 0) - (reference[3 * j] ?? 0),
        (s[3 * r + 1] ?? 0) - (reference[3 * j + 1] ?? 0),
        (s[3 * r + 2] ?? 0) - (reference[3 * j + 2] ?? 0),
      );
    }
    for (let j = 0; j < nodes; j++) {
      const from = backward < forward ? nodes - 1 - j : j;
      for (let c = 0; c < 3; c++) sum[3 * j + c] = (sum[3 * j + c] ?? 0) + (s[3 * from + c] ?? 0);
    }
    used++;
  }
  return sum.map((v) => (used === 0 ? NaN : v / used));
}

/**
 * The profile of a scalar along a bundle: each point of each streamline is assigned to its nearest
 * centroid node (as TractSeg and BUAN do) and the scalar sampled there is averaged per node.
 */
export function tractProfile(
  batch: StreamlineBatch,
  sample: (x: number, y: number, z: number) => number,
  nodes = 100,
  centroid: Float64Array = bundleCentroid(batch, nodes),
): TractProfile {
  const sums = new Float64Array(nodes);
  const counts = new Int32Array(nodes);
  const p = batch.positions;
  const points = batch.offsets[batch.count] ?? 0;
  for (let k = batch.offsets[0] ?? 0; k < points; k++) {
    const x = p[3 * k] ?? 0;
    const y = p[3 * k + 1] ?? 0;
    const z = p[3 * k + 2] ?? 0;
    let best = 0;
    let bestD = Infinity;
    for (let j = 0; j < nodes; j++) {
      const dx = x - (centroid[3 * j] ?? 0);
      const dy = y - (centroid[3 * j + 1] ?? 0);
      const dz = z - (centroid[3 * j + 2] ?? 0);
      const d = dx * dx + dy * dy + dz * dz;
      if (d < bestD) {
        bestD = d;
        best = j;
      }
    }
    sums[best] = (sums[best] ?? 0) + sample(x, y, z);
    counts[best] = (counts[best] ?? 0) + 1;
  }
  const values = sums.map((s, j) => ((counts[j] ?? 0) === 0 ? NaN : s / (counts[j] ?? 1)));
  return { nodes, values, counts, centroid };
}
