import type { StreamlineBatch } from './tractogram.js';
import { nthSmallest } from '../imaging/nth-smallest.js';

const f = Math.fround;

/**
 * Length of streamline `i` of a batch in mm, computed as MRtrix3 does (`Tractography::length`): each
 * step's difference and norm in float32, summed in float32. Matching its rounding is what makes the
 * lengths agree with `tckstats` to the last float digit. NaN for a streamline without points.
 */
export function streamlineLength(batch: StreamlineBatch, i: number): number {
  const first = batch.offsets[i] ?? 0;
  const last = batch.offsets[i + 1] ?? 0;
  if (last === first) return NaN;
  const p = batch.positions;
  let sum = 0;
  for (let k = 3 * first + 3; k < 3 * last; k += 3) {
    const dx = f((p[k] ?? 0) - (p[k - 3] ?? 0));
    const dy = f((p[k + 1] ?? 0) - (p[k - 2] ?? 0));
    const dz = f((p[k + 2] ?? 0) - (p[k - 1] ?? 0));
    sum = f(sum + f(Math.sqrt(f(f(f(dx * dx) + f(dy * dy)) + f(dz * dz)))));
  }
  return sum;
}

/** The lengths of every streamline of a batch (one loop over all points: the hot path of `stats`). */
export function batchLengths(batch: StreamlineBatch): Float32Array {
  const out = new Float32Array(batch.count);
  const p = batch.positions;
  const offsets = batch.offsets;
  for (let i = 0; i < batch.count; i++) {
    const first = offsets[i] ?? 0;
    const last = offsets[i + 1] ?? 0;
    if (last === first) {
      out[i] = NaN;
      continue;
    }
    let sum = 0;
    let px = p[3 * first] ?? 0;
    let py = p[3 * first + 1] ?? 0;
    let pz = p[3 * first + 2] ?? 0;
    for (let k = 3 * first + 3; k < 3 * last; k += 3) {
      const x = p[k] ?? 0;
      const y = p[k + 1] ?? 0;
      const z = p[k + 2] ?? 0;
      const dx = f(x - px);
      const dy = f(y - py);
      const dz = f(z - pz);
      sum = f(sum + f(Math.sqrt(f(f(f(dx * dx) + f(dy * dy)) + f(dz * dz)))));
      px = x;
      py = y;
      pz = z;
    }
    out[i] = sum;
  }
  return out;
}

/** Summary of streamline lengths, as `tckstats` prints it. */
export interface LengthSummary {
  readonly count: number;
  readonly mean: number;
  readonly median: number;
  /** Sample standard deviation (n - 1). */
  readonly std: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Accumulates lengths batch by batch. Keeps one float32 per streamline for the median (4 bytes: 40 MB
 * for 10 million streamlines), nothing else, so memory stays flat whatever the file size.
 */
export class LengthAccumulator {
  private lengths = new Float32Array(1024);
  private n = 0;
  private counted = 0;
  private sum = 0;

  /** Adds a batch; returns its lengths. */
  add(batch: StreamlineBatch): Float32Array {
    const lengths = batchLengths(batch);
    this.addLengths(lengths);
    return lengths;
  }

  /** Adds streamline lengths (NaN: a streamline without points, counted but not measured). */
  addLengths(lengths: Float32Array): void {
    this.counted += lengths.length;
    if (this.n + lengths.length > this.lengths.length) {
      const grown = new Float32Array(Math.max(this.lengths.length * 2, this.n + lengths.length));
      grown.set(this.lengths.subarray(0, this.n));
      this.lengths = grown;
    }
    const store = this.lengths;
    let n = this.n;
    let sum = this.sum;
    for (let i = 0; i < lengths.length; i++) {
      const length = lengths[i] as number;
      if (length !== length) continue;
      store[n++] = length;
      sum += length;
    }
    this.n = n;
    this.sum = sum;
  }

  /** The summary; mean and spread as tckstats computes them (double sums, float32 results). */
  summary(): LengthSummary {
    const n = this.n;
    if (n === 0) return { count: this.counted, mean: NaN, median: NaN, std: NaN, min: NaN, max: NaN };
    const values = this.lengths.subarray(0, n);
    const mean = f(this.sum / n);
    let squares = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = values[i] ?? 0;
      squares += (v - mean) ** 2;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    // The median by selection, not a full sort (a sort of 10 million floats takes seconds).
    const work = values.slice();
    const middle = n >> 1;
    const upper = nthSmallest(work, middle);
    const median = n % 2 === 1 ? upper : f(f(nthSmallest(work, middle - 1, 0, middle) + upper) / 2);
    return {
      count: this.counted,
      mean,
      median,
      std: n > 1 ? Math.sqrt(squares / (f((this.counted - 1) / this.counted) * n)) : NaN,
      min,
      max,
    };
  }
}
