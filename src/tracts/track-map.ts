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
/** Voxels per block when counting (2^13 voxels: 64 KiB of cells, which stay in a core's L2 cache). */
const BLOCK_BITS = 13;

interface Scratch {
  readonly voxels: Int32Array;
  readonly streamlines: Int32Array;
  readonly sortedVoxels: Int32Array;
  readonly sortedStreamlines: Int32Array;
  /** Per block, where its entries start in the sorted arrays (then, while sorting, the next free place). */
  readonly starts: Int32Array;
}
/** C's `round`: halves away from zero (JavaScript's Math.round takes -0.5 to 0). */
const cRound = (v: number): number => (v < 0 ? -Math.floor(0.5 - v) : Math.floor(v + 0.5));

/**
 * Counts streamlines per voxel of a reference grid, batch by batch. Each streamline counts once per
 * voxel however many of its points fall there, as in `tckmap`. Points go to voxels exactly as MRtrix
 * maps them: the world-to-voxel affine in float32, rounded to the nearest voxel centre.
 */
export class TrackMapper {
  /**
   * Per voxel, interleaved: the last streamline that counted there, then the count. Side by side they
   * share a cache line, which halves the cache misses that dominate mapping a whole-brain tractogram.
   */
  private readonly cells: Int32Array;
  private streamline = 0;
  private work: Scratch | undefined;
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
    this.cells = new Int32Array(2 * voxels);
    for (let v = 0; v < 2 * voxels; v += 2) this.cells[v] = -1;
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

  /** The map so far: streamlines (or endpoints) per voxel, x fastest. */
  get counts(): Float32Array {
    const out = new Float32Array(this.cells.length / 2);
    for (let v = 0; v < out.length; v++) out[v] = this.cells[2 * v + 1] ?? 0;
    return out;
  }

  add(batch: StreamlineBatch): void {
    const p = batch.positions;
    const densify = Math.max(1, Math.floor(this.options.densify ?? 1));
    if (this.options.kind === 'visit' && densify === 1) {
      this.addVertices(batch);
      return;
    }
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

  /**
   * The common case, kept tight: each vertex once, skipping repeats of the previous vertex's voxel. The
   * affine sits in locals (registers) rather than fields: this loop runs once per point, 30 million
   * times for a whole-brain tractogram, and field loads and calls cost more than the arithmetic.
   *
   * Counting straight into the grid made every point a cache miss (a whole-brain grid is tens of MB
   * and consecutive streamlines start far apart): 120 ns a point, the whole cost of a map. So the
   * points' voxels are first collected, then grouped by block of the grid (a counting sort that keeps
   * streamline order within a block), and counted block by block, where the cells in use stay in cache.
   */
  private addVertices(batch: StreamlineBatch): void {
    const p = batch.positions;
    const offsets = batch.offsets;
    const { nx, ny, nz, m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11 } = this;
    const points = offsets[batch.count] ?? 0;
    const { voxels, streamlines } = this.scratch(points);
    let n = 0;
    let s = this.streamline;
    for (let i = 0; i < batch.count; i++, s++) {
      const last = 3 * (offsets[i + 1] ?? 0);
      let previous = -1;
      for (let k = 3 * (offsets[i] ?? 0); k < last; k += 3) {
        const x = p[k] ?? 0;
        const y = p[k + 1] ?? 0;
        const z = p[k + 2] ?? 0;
        // floor(v + 0.5) is C's round (halves away from zero) except exactly at a half; within 1e-3 of
        // one the coordinate is redone in float32 as MRtrix computes it and rounded the C way (rare).
        const a = m0 * x + m1 * y + m2 * z + m3 + 0.5;
        const b = m4 * x + m5 * y + m6 * z + m7 + 0.5;
        const c = m8 * x + m9 * y + m10 * z + m11 + 0.5;
        let vi = Math.floor(a);
        let vj = Math.floor(b);
        let vk = Math.floor(c);
        if (a - vi < 1e-3 || a - vi > 0.999) vi = cRound(f(f(f(f(m0 * x) + f(m1 * y)) + f(m2 * z)) + m3));
        if (b - vj < 1e-3 || b - vj > 0.999) vj = cRound(f(f(f(f(m4 * x) + f(m5 * y)) + f(m6 * z)) + m7));
        if (c - vk < 1e-3 || c - vk > 0.999) vk = cRound(f(f(f(f(m8 * x) + f(m9 * y)) + f(m10 * z)) + m11));
        if (vi < 0 || vj < 0 || vk < 0 || vi >= nx || vj >= ny || vk >= nz) continue;
        const v = vi + nx * (vj + ny * vk);
        if (v === previous) continue;
        previous = v;
        voxels[n] = v;
        streamlines[n++] = s;
      }
    }
    this.streamline = s;
    this.countByBlock(n);
  }

  /** Counts the first `n` collected voxels, grouped by block of the grid (see {@link addVertices}). */
  private countByBlock(n: number): void {
    const { voxels, streamlines, sortedVoxels, sortedStreamlines, starts } = this.scratch(n);
    const cells = this.cells;
    starts.fill(0);
    for (let e = 0; e < n; e++) {
      const block = ((voxels[e] ?? 0) >>> BLOCK_BITS) + 1;
      starts[block] = (starts[block] ?? 0) + 1;
    }
    for (let b = 1; b < starts.length; b++) starts[b] = (starts[b] ?? 0) + (starts[b - 1] ?? 0);
    for (let e = 0; e < n; e++) {
      const v = voxels[e] ?? 0;
      const at = starts[v >>> BLOCK_BITS] ?? 0;
      starts[v >>> BLOCK_BITS] = at + 1;
      sortedVoxels[at] = v;
      sortedStreamlines[at] = streamlines[e] ?? 0;
    }
    // Within a block the entries keep streamline order, so "counted for this streamline already" holds.
    for (let e = 0; e < n; e++) {
      const v = sortedVoxels[e] ?? 0;
      const s = sortedStreamlines[e] ?? 0;
      if (cells[2 * v] === s) continue;
      cells[2 * v] = s;
      cells[2 * v + 1] = (cells[2 * v + 1] ?? 0) + 1;
    }
  }

  /** Work arrays for `points` entries, grown as batches need and reused. */
  private scratch(points: number): Scratch {
    if (this.work === undefined || this.work.voxels.length < points) {
      const size = Math.max(points, 1 << 16);
      const blocks = Math.ceil(this.cells.length / 2 / (1 << BLOCK_BITS)) + 1;
      this.work = {
        voxels: new Int32Array(size),
        streamlines: new Int32Array(size),
        sortedVoxels: new Int32Array(size),
        sortedStreamlines: new Int32Array(size),
        starts: new Int32Array(blocks + 1),
      };
    }
    return this.work;
  }

  private visit(x: number, y: number, z: number, once = true): void {
    const v = this.voxelOf(x, y, z);
    if (v < 0 || (once && this.cells[2 * v] === this.streamline)) return;
    this.cells[2 * v] = this.streamline;
    this.cells[2 * v + 1] = (this.cells[2 * v + 1] ?? 0) + 1;
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
    return v < 0 ? -Math.floor(0.5 - v) : Math.floor(v + 0.5);
  }
}
