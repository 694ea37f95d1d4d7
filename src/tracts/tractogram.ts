/**
 * The in-memory shape of streamlines, shared by every format and analysis: points in world space (RAS
 * millimetres, voxel centres at integer voxel coordinates as in NIfTI), flat arrays rather than one
 * object per streamline, so that a million streamlines are two typed arrays, not a million objects.
 */

/** Values attached per point (`dpp`) or per streamline (`dps`): `components` numbers per item. */
export interface DataArray {
  readonly data: Float32Array | Float64Array;
  readonly components: number;
  /** The dtype it was stored as (TRX names, e.g. `float32`, `uint8`), kept so a rewrite keeps it. */
  readonly dtype?: string;
}

/** A run of whole streamlines: a chunk of a file being streamed, or a whole tractogram. */
export interface StreamlineBatch {
  /** x, y, z per point, world mm. Float64 only when the file stored float64. */
  readonly positions: Float32Array | Float64Array;
  /** `count + 1` entries: streamline `i` holds points `offsets[i]` to `offsets[i + 1] - 1`. */
  readonly offsets: Float64Array;
  readonly count: number;
  readonly dpp: Readonly<Record<string, DataArray>>;
  readonly dps: Readonly<Record<string, DataArray>>;
}

/** The voxel grid tract files (TRK, TRX) refer to; TCK has none. */
export interface VoxelSpace {
  readonly dims: readonly [number, number, number];
  readonly voxelSizes: readonly [number, number, number];
  /** Voxel (centre) to world, row-major 4x4. */
  readonly affine: Float64Array;
}

/** A whole tract file in memory. */
export interface Tractogram extends StreamlineBatch {
  readonly space: VoxelSpace | undefined;
  /** Text properties of the file (TCK header fields), kept across conversions to TCK. */
  readonly properties: Readonly<Record<string, string>>;
}

/** The identity grid used when a tractogram that has none must be written to TRK or TRX. */
export const UNIT_SPACE: VoxelSpace = {
  dims: [1, 1, 1],
  voxelSizes: [1, 1, 1],
  affine: Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]),
};

/** Joins batches (read from one file, so with the same data arrays) into one tractogram. */
export function concatBatches(
  batches: readonly StreamlineBatch[],
  extra: { space: VoxelSpace | undefined; properties: Readonly<Record<string, string>> },
): Tractogram {
  const count = batches.reduce((n, b) => n + b.count, 0);
  const points = batches.reduce((n, b) => n + (b.offsets[b.count] ?? 0), 0);
  const float64 = batches.some((b) => b.positions instanceof Float64Array);
  const positions = float64 ? new Float64Array(points * 3) : new Float32Array(points * 3);
  const offsets = new Float64Array(count + 1);
  let p = 0;
  let s = 0;
  for (const b of batches) {
    positions.set(b.positions.subarray(0, (b.offsets[b.count] ?? 0) * 3), p * 3);
    for (let i = 1; i <= b.count; i++) offsets[s + i] = p + (b.offsets[i] ?? 0);
    p += b.offsets[b.count] ?? 0;
    s += b.count;
  }
  const join = (key: 'dpp' | 'dps'): Record<string, DataArray> => {
    const out: Record<string, DataArray> = {};
    const first = batches[0]?.[key] ?? {};
    for (const [name, array] of Object.entries(first)) {
      const parts = batches.map((b) => b[key][name]?.data ?? new Float32Array(0));
      const total = parts.reduce((n, d) => n + d.length, 0);
      const data = array.data instanceof Float64Array ? new Float64Array(total) : new Float32Array(total);
      let at = 0;
      for (const part of parts) {
        data.set(part, at);
        at += part.length;
      }
      out[name] = { ...array, data };
    }
    return out;
  };
  return { positions, offsets, count, dpp: join('dpp'), dps: join('dps'), ...extra };
}
