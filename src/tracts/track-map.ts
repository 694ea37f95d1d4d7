import type { NiftiVolume } from '../imaging/nifti-volume.js';
import type { StreamlineBatch } from './tractogram.js';

export const MAP_KINDS = ['visit', 'ends'] as const;
export type MapKind = (typeof MAP_KINDS)[number];

/** Options of {@link TrackMapper}. */
export interface TrackMapOptions {
  /** `visit`: streamlines per voxel (track density); `ends`: streamline endpoints per voxel (two if both end there). */
  readonly kind: MapKind;
  /**
   * Points per step when densifying (1, the default: vertices only, as `tckmap -upsample 1`). N > 1
   * adds N - 1 points on the straight line between vertices; MRtrix's `-upsample N` uses Hermite curves
   * instead, so densified maps differ from its maps in a few voxels where tracks bend.
   */
  readonly densify?: number;
}

const f = Math.fround;
/** C's `round`: halves away from zero (JavaScript's Math.round takes -0.5 to 0). */
const round = (v: number): number => (v < 0 ? -Math.round(-v) : Math.round(v));

/**
 * Counts streamlines per voxel of a reference grid, batch by batch. Each streamline counts once per
 * voxel however many of its points fall there, as in `tckmap`. Points go to voxels exactly as MRtrix
 * maps them: the world-to-voxel affine in float32, rounded to the nearest voxel centre.
 */
export class TrackMapper {
  readonly counts: Float32Array;
  private readonly stamp: Int32Array;
  private streamline = 0;
  private readonly m: Float32Array;
  private readonly dims: readonly [number, number, number];

  constructor(
    reference: NiftiVolume,
    private readonly options: TrackMapOptions,
  ) {
    this.dims = reference.dims;
    const voxels = this.dims[0] * this.dims[1] * this.dims[2];
    this.counts = new Float32Array(voxels);
    this.stamp = new Int32Array(voxels).fill(-1);
    this.m = Float32Array.from(reference.inverse.subarray(0, 12));
  }

  add(batch: StreamlineBatch): void {
    const p = batch.positions;
    const densify = Math.max(1, Math.floor(this.options.densify ?? 1));
    for (let i = 0; i < batch.count; i++, this.streamline++) {
      const first = batch.offsets[i] ?? 0;
      const last = batch.offsets[i + 1] ?? 0;
      if (last === first) continue;
      if (this.options.kind === 'ends') {
        // Each end counts: a streamline ending twice in one voxel adds 2 there, as tckmap -ends_only does.
        this.visit(p[3 * first] ?? 0, p[3 * first + 1] ?? 0, p[3 * first + 2] ?? 0, false);
        this.visit(p[3 * last - 3] ?? 0, p[3 * last - 2] ?? 0, p[3 * last - 1] ?? 0, false);
        continue;
      }
      for (let k = first; k < last; k++) {
        const x = p[3 * k] ?? 0;
        const y = p[3 * k + 1] ?? 0;
        const z = p[3 * k + 2] ?? 0;
        this.visit(x, y, z);
        if (densify > 1 && k + 1 < last) {
          const dx = (p[3 * k + 3] ?? 0) - x;
          const dy = (p[3 * k + 4] ?? 0) - y;
          const dz = (p[3 * k + 5] ?? 0) - z;
          for (let s = 1; s < densify; s++) {
            const t = s / densify;
            this.visit(f(x + t * dx), f(y + t * dy), f(z + t * dz));
          }
        }
      }
    }
  }

  private visit(x: number, y: number, z: number, once = true): void {
    const m = this.m;
    const [nx, ny, nz] = this.dims;
    const i = round(f(f(f(f((m[0] ?? 0) * x) + f((m[1] ?? 0) * y)) + f((m[2] ?? 0) * z)) + (m[3] ?? 0)));
    if (i < 0 || i >= nx) return;
    const j = round(f(f(f(f((m[4] ?? 0) * x) + f((m[5] ?? 0) * y)) + f((m[6] ?? 0) * z)) + (m[7] ?? 0)));
    if (j < 0 || j >= ny) return;
    const k = round(f(f(f(f((m[8] ?? 0) * x) + f((m[9] ?? 0) * y)) + f((m[10] ?? 0) * z)) + (m[11] ?? 0)));
    if (k < 0 || k >= nz) return;
    const v = i + nx * (j + ny * k);
    if (once && this.stamp[v] === this.streamline) return;
    this.stamp[v] = this.streamline;
    this.counts[v] = (this.counts[v] ?? 0) + 1;
  }
}
