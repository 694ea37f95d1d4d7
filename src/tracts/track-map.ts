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

/**
 * Counts streamlines per voxel of a reference grid, batch by batch. Each streamline counts once per
 * voxel however many of its points fall there, as in `tckmap`. Points go to voxels exactly as MRtrix
 * maps them: the world-to-voxel affine in float32, rounded to the nearest voxel centre.
 */
export class TrackMapper {
  readonly counts: Float32Array;
  private readonly stamp: Int32Array;
  private streamline = 0;
  private readonly nx: number;
  private readonly ny: number;
  private readonly nz: number;
  // The world-to-voxel affine in float32, as MRtrix casts it.
  private readonly m0: number;
  private readonly m1: number;
  private readonly m2: number;
  private readonly m3: number;
  private readonly m4: number;
  private readonly m5: number;
  private readonly m6: number;
  private readonly m7: number;
  private readonly m8: number;
  private readonly m9: number;
  private readonly m10: number;
  private readonly m11: number;

  constructor(
    reference: NiftiVolume,
    private readonly options: TrackMapOptions,
  ) {
    [this.nx, this.ny, this.nz] = reference.dims;
    const voxels = this.nx * this.ny * this.nz;
    this.counts = new Float32Array(voxels);
    this.stamp = new Int32Array(voxels).fill(-1);
    const m = Float32Array.from(reference.inverse.subarray(0, 12));
    [this.m0, this.m1, this.m2, this.m3, this.m4, this.m5] = [
      m[0] ?? 0,
      m[1] ?? 0,
      m[2] ?? 0,
      m[3] ?? 0,
      m[4] ?? 0,
      m[5] ?? 0,
    ];
    [this.m6, this.m7, this.m8, this.m9, this.m10, this.m11] = [
      m[6] ?? 0,
      m[7] ?? 0,
      m[8] ?? 0,
      m[9] ?? 0,
      m[10] ?? 0,
      m[11] ?? 0,
    ];
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
    const v = this.voxelOf(x, y, z);
    if (v < 0 || (once && this.stamp[v] === this.streamline)) return;
    this.stamp[v] = this.streamline;
    this.counts[v] = (this.counts[v] ?? 0) + 1;
  }

  /**
   * The voxel index a world point maps to, or -1 outside the grid. The affine's coefficients live in
   * fields, not an array, and `round` is spelled out: this runs once per point (30 million in a
   * whole-brain tractogram), where an array destructuring or a closure per call costs more than the maths.
   */
  private voxelOf(x: number, y: number, z: number): number {
    const i = this.axis(x, y, z, this.m0, this.m1, this.m2, this.m3);
    if (i < 0 || i >= this.nx) return -1;
    const j = this.axis(x, y, z, this.m4, this.m5, this.m6, this.m7);
    if (j < 0 || j >= this.ny) return -1;
    const k = this.axis(x, y, z, this.m8, this.m9, this.m10, this.m11);
    if (k < 0 || k >= this.nz) return -1;
    return i + this.nx * (j + this.ny * k);
  }

  /**
   * One voxel coordinate, rounded half away from zero. Computed in float64 first; only a value within
   * 1e-3 voxel of a rounding boundary (rare) is recomputed in float32 the way MRtrix does, where the
   * few ulps between the two could decide the voxel.
   */
  private axis(x: number, y: number, z: number, a: number, b: number, c: number, d: number): number {
    let v = a * x + b * y + c * z + d;
    const frac = Math.abs(v - Math.trunc(v));
    if (frac > 0.499 && frac < 0.501) v = f(f(f(f(a * x) + f(b * y)) + f(c * z)) + d);
    return v < 0 ? -Math.round(-v) : Math.round(v);
  }
}
