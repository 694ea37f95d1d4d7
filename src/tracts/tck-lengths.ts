import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readTckHeader, type TckHeader } from './tck-header.js';
import { badTractFile, fileError } from './tract-errors.js';

const f = Math.fround;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
// 768 KB: the chunk read is still in the cache when it is scanned (a little faster than 12 MB chunks).
const CHUNK_POINTS = 1 << 16;

/** Whether {@link readTckLengths} reads this file (float32 data; float64 files go through batches). */
export function tckLengthsApply(header: TckHeader): boolean {
  return !header.float64;
}

/**
 * Streams the lengths of every streamline of a float32 `.tck` file, a chunk of lengths at a time (the
 * yielded array is reused: copy what must outlive the step). The fast path of `cohort tracts stats`:
 * one pass over the file's own bytes (a Float32Array view of the read buffer on little-endian data),
 * with no copy of the points into batches and no allocation per chunk, which halved its time against
 * reading batches and measuring them. Lengths are computed as `batchLengths` does (MRtrix's float32
 * rounding); a streamline without points has length NaN.
 *
 * @throws CohortError INVALID_INPUT when the file is truncated or holds another number of streamlines
 *   than its header's `count`, as readTckBatches does.
 */
export function* readTckLengths(
  path: string,
  header: TckHeader = readTckHeader(path),
  chunkPoints = CHUNK_POINTS,
): Generator<Float32Array> {
  if (header.float64) throw new Error('readTckLengths reads float32 files only (see tckLengthsApply)');
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw fileError(path, error);
  }
  try {
    const size = fstatSync(fd).size;
    const raw = new Uint8Array(chunkPoints * 12);
    const native = LITTLE_ENDIAN_HOST === header.littleEndian;
    const view = native ? new Float32Array(raw.buffer) : new Float32Array(chunkPoints * 3);
    const data = new DataView(raw.buffer);
    // At most one streamline ends per point read, plus the one the end marker may close.
    const lengths = new Float32Array(chunkPoints + 1);
    const state = new Float64Array(6);
    let carried = 0; // bytes of an incomplete point kept at the start of `raw`
    let position = header.dataOffset;
    let streamlines = 0;
    let ended = false;
    while (!ended) {
      const n = readSync(fd, raw, carried, raw.length - carried, position);
      if (n === 0) break;
      position += n;
      const available = carried + n;
      const count = Math.floor(available / 12);
      const v = view;
      if (!native) for (let i = 0; i < count * 3; i++) v[i] = data.getFloat32(4 * i, header.littleEndian);
      const found = scanPoints(v, count, state, lengths);
      ended = state[END] === 1;
      streamlines += found;
      if (found > 0) yield lengths.subarray(0, found);
      carried = available - count * 12;
      raw.copyWithin(0, count * 12, available);
    }
    if (!ended && ((state[POINTS] as number) > 0 || carried > 0)) {
      throw badTractFile(path, `it is truncated: the data stop inside a streamline at byte ${size}`);
    }
    if (header.count !== undefined && header.count !== streamlines) {
      throw badTractFile(
        path,
        `its header says count: ${header.count} but it holds ${streamlines} streamline(s)`,
        'The file was cut short or its writer stopped before updating the count; regenerate it, or rewrite the header with tckedit in.tck out.tck.',
      );
    }
  } finally {
    closeSync(fd);
  }
}

// Slots of the scan state: the streamline in progress across chunks (its point count, running length
// and last point) and whether the end marker was met.
const POINTS = 0;
const SUM = 1;
const END = 5;

/**
 * Measures the `count` points of `v`, continuing the streamline in `state`; writes the lengths of the
 * streamlines that end into `lengths` and returns how many. A plain function, not part of the generator:
 * doubles live in registers here, where a generator keeps them boxed across yields (a heap number per
 * step: that made the fused reader slower than the batches it replaced).
 */
function scanPoints(v: Float32Array, count: number, state: Float64Array, lengths: Float32Array): number {
  let points = state[POINTS] as number;
  let sum = state[SUM] as number;
  let px = state[2] as number;
  let py = state[3] as number;
  let pz = state[4] as number;
  let found = 0;
  for (let r = 0; r < count * 3; r += 3) {
    const x = v[r] as number;
    // x - x is NaN for NaN and ±Inf alone: one test for both kinds of separator.
    if (x - x === 0) {
      const y = v[r + 1] as number;
      const z = v[r + 2] as number;
      if (points > 0) {
        const dx = f(x - px);
        const dy = f(y - py);
        const dz = f(z - pz);
        sum = f(sum + f(Math.sqrt(f(f(f(dx * dx) + f(dy * dy)) + f(dz * dz)))));
      }
      px = x;
      py = y;
      pz = z;
      points++;
    } else if (x !== x) {
      lengths[found++] = points > 0 ? sum : NaN;
      points = 0;
      sum = 0;
    } else {
      // The end marker; points before it without a NaN make a last streamline.
      if (points > 0) lengths[found++] = sum;
      points = 0;
      state[END] = 1;
      break;
    }
  }
  state[POINTS] = points;
  state[SUM] = sum;
  state[2] = px;
  state[3] = py;
  state[4] = pz;
  return found;
}
