import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readTckHeader, type TckHeader } from './tck-header.js';
import { badTractFile, fileError } from './tract-errors.js';
import type { StreamlineBatch } from './tractogram.js';

/** Options of the streaming readers. */
export interface StreamOptions {
  /** Points read per chunk (default 1 Mi points, 12 MB for float32): memory stays near a few chunks. */
  readonly chunkPoints?: number;
  readonly signal?: AbortSignal;
}

const DEFAULT_CHUNK_POINTS = 1 << 20;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Streams the streamlines of a `.tck` file in batches of whole streamlines, reading a chunk at a time,
 * so memory stays flat whatever the file size. A batch's arrays are reused for the next batch: copy
 * what must outlive the iteration step. A NaN triplet ends a streamline, an Inf triplet ends the
 * file (as MRtrix writes them).
 *
 * @throws CohortError INVALID_INPUT when the file is truncated or holds another number of streamlines
 *   than its header's `count` (thrown after the last batch: the streamlines before it were fine).
 */
export function* readTckBatches(
  path: string,
  options: StreamOptions = {},
  header: TckHeader = readTckHeader(path),
): Generator<StreamlineBatch> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw fileError(path, error);
  }
  try {
    const size = fstatSync(fd).size;
    const pointBytes = header.float64 ? 24 : 12;
    const chunkPoints = Math.max(1, options.chunkPoints ?? DEFAULT_CHUNK_POINTS);
    const raw = new Uint8Array(chunkPoints * pointBytes);
    const values = header.float64 ? new Float64Array(chunkPoints * 3) : new Float32Array(chunkPoints * 3);
    const direct =
      LITTLE_ENDIAN_HOST && header.littleEndian
        ? header.float64
          ? new Float64Array(raw.buffer)
          : new Float32Array(raw.buffer)
        : undefined;
    let carry: number[] = [];
    let out: Float32Array | Float64Array = header.float64 ? new Float64Array(0) : new Float32Array(0);
    let carried = 0; // bytes of an incomplete point kept at the start of `raw`
    let position = header.dataOffset;
    let streamlines = 0;
    let ended = false;
    while (!ended) {
      options.signal?.throwIfAborted();
      const n = readSync(fd, raw, carried, raw.length - carried, position);
      position += n;
      const available = carried + n;
      if (n === 0) break;
      const points = Math.floor(available / pointBytes);
      const v = direct ?? decode(raw, points, header, values);
      // Points of streamlines that end in this chunk, plus the carried start of the first one. The
      // buffer is reused from chunk to chunk (allocating and zeroing 12 MB per chunk cost a third of the time).
      if (out.length < carry.length + points * 3) {
        out = header.float64
          ? new Float64Array(carry.length + points * 3)
          : new Float32Array(carry.length + points * 3);
      }
      out.set(carry);
      let used = carry.length / 3;
      const ends: number[] = [];
      // One pass: copy points, skipping separators. Float32 data move as 32-bit integers (no float
      // conversion per value) and separators are found by their all-ones exponent (NaN or Inf).
      let w = used * 3;
      const float32 = v instanceof Float32Array && out instanceof Float32Array;
      const src = float32 ? new Uint32Array(v.buffer, v.byteOffset, points * 3) : v;
      const dst = float32 ? new Uint32Array(out.buffer, out.byteOffset, out.length) : out;
      for (let k = 0; k < points; k++) {
        const r = 3 * k;
        const x = src[r] ?? 0;
        const special = float32 ? (x & 0x7f800000) === 0x7f800000 : !Number.isFinite(x);
        if (!special) {
          dst[w] = x;
          dst[w + 1] = src[r + 1] ?? 0;
          dst[w + 2] = src[r + 2] ?? 0;
          w += 3;
        } else if (float32 ? (x & 0x7fffff) !== 0 : Number.isNaN(x)) {
          used = w / 3;
          ends.push(used);
        } else {
          used = w / 3;
          // Points after the last separator and before the end marker: a last streamline without NaN.
          if (used > (ends.length === 0 ? 0 : (ends[ends.length - 1] ?? 0))) ends.push(used);
          ended = true;
          break;
        }
      }
      if (!ended) used = w / 3;
      const complete = ends.length === 0 ? 0 : (ends[ends.length - 1] ?? 0);
      carry = ended ? [] : Array.from(out.subarray(complete * 3, used * 3));
      if (ends.length > 0) {
        const offsets = new Float64Array(ends.length + 1);
        ends.forEach((e, i) => (offsets[i + 1] = e));
        streamlines += ends.length;
        yield { positions: out.subarray(0, complete * 3), offsets, count: ends.length, dpp: {}, dps: {} };
      }
      carried = available - points * pointBytes;
      raw.copyWithin(0, points * pointBytes, available);
    }
    if (!ended && (carry.length > 0 || carried > 0)) {
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

function decode(
  raw: Uint8Array,
  points: number,
  header: TckHeader,
  into: Float32Array | Float64Array,
): Float32Array | Float64Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const le = header.littleEndian;
  if (header.float64) for (let i = 0; i < points * 3; i++) into[i] = view.getFloat64(8 * i, le);
  else for (let i = 0; i < points * 3; i++) into[i] = view.getFloat32(4 * i, le);
  return into;
}
