import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { StreamOptions } from './tck-reader.js';
import { badTractFile, fileError } from './tract-errors.js';
import type { DataArray, StreamlineBatch } from './tractogram.js';
import { parseTrkHeader, TRK_HEADER_SIZE, type TrkHeader } from './trk-header.js';

/** Reads and parses the header of the `.trk` file at `path`. */
export function readTrkHeader(path: string): TrkHeader {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw fileError(path, error);
  }
  try {
    const bytes = new Uint8Array(TRK_HEADER_SIZE);
    const n = readSync(fd, bytes, 0, TRK_HEADER_SIZE, 0);
    return parseTrkHeader(bytes.subarray(0, n), path);
  } finally {
    closeSync(fd);
  }
}

/**
 * Streams a `.trk` file in batches of whole streamlines with points converted from voxmm to world
 * (RAS mm), per-point scalars as `dpp` and per-streamline properties as `dps`. Memory stays near one
 * chunk (a longer streamline grows it).
 *
 * @throws CohortError INVALID_INPUT when the file is truncated, a point count is absurd, or the
 *   header's `n_count` disagrees with the streamlines found.
 */
export function* readTrkBatches(
  path: string,
  options: StreamOptions = {},
  header: TrkHeader = readTrkHeader(path),
): Generator<StreamlineBatch> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const le = header.littleEndian;
    const ns = header.scalars.reduce((n, s) => n + s.components, 0);
    const np = header.properties.reduce((n, s) => n + s.components, 0);
    const perPoint = 3 + ns;
    let raw = new Uint8Array(Math.max(1 << 16, (options.chunkPoints ?? 1 << 20) * perPoint * 4));
    let view = new DataView(raw.buffer);
    // Every TRK field is 4 bytes from a 4-aligned offset, so on a little-endian host a little-endian
    // file is read through typed-array views (several times faster than DataView calls per value).
    const fast = le && new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    let f32 = new Float32Array(raw.buffer, 0, raw.length >> 2);
    let filled = 0;
    let at = 0; // read position in raw
    let position = TRK_HEADER_SIZE;
    let streamlines = 0;
    const m = header.toWorld;
    const [a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0, a9 = 0, a10 = 0, a11 = 0] =
      m;
    // Positions are reused from batch to batch, as the TCK reader does: copy what must outlive a step.
    let positionsBuffer = new Float32Array(0);
    const diagonal = a1 === 0 && a2 === 0 && a4 === 0 && a6 === 0 && a8 === 0 && a9 === 0;
    const refill = (need: number): boolean => {
      raw.copyWithin(0, at, filled);
      filled -= at;
      at = 0;
      if (need > raw.length) {
        const bigger = new Uint8Array(need * 2);
        bigger.set(raw.subarray(0, filled));
        raw = bigger;
        view = new DataView(raw.buffer);
        f32 = new Float32Array(raw.buffer, 0, raw.length >> 2);
      }
      while (filled < need) {
        const n = readSync(fd, raw, filled, raw.length - filled, position);
        if (n === 0) return false;
        filled += n;
        position += n;
      }
      return true;
    };
    for (;;) {
      options.signal?.throwIfAborted();
      if (!refill(4)) {
        if (filled > 0) throw badTractFile(path, `it is truncated: ${filled} stray byte(s) at its end`);
        break;
      }
      // Collect whole streamlines present in the buffer into one batch.
      const ends: number[] = [0];
      const starts: number[] = [];
      let points = 0;
      let scan = at;
      while (scan + 4 <= filled) {
        const n = view.getInt32(scan, le);
        const bytes = 4 + 4 * (n * perPoint + np);
        if (n < 0 || bytes > size)
          throw badTractFile(path, `a streamline claims ${n} points, more than the file holds`);
        if (scan + bytes > filled) break;
        starts.push(scan);
        points += n;
        ends.push(points);
        scan += bytes;
      }
      if (starts.length === 0) {
        const n = view.getInt32(at, le);
        if (!refill(4 + 4 * (n * perPoint + np))) {
          throw badTractFile(path, `it is truncated: the last streamline stops at byte ${size}`);
        }
        continue;
      }
      if (positionsBuffer.length < points * 3) positionsBuffer = new Float32Array(points * 3);
      const positions = positionsBuffer.subarray(0, points * 3);
      const scalars = new Float32Array(points * ns);
      const props = new Float32Array(starts.length * np);
      let p = 0;
      for (let s = 0; s < starts.length; s++) {
        const start = starts[s] ?? 0;
        const n = view.getInt32(start, le);
        let o = start + 4;
        if (fast && ns === 0 && diagonal) {
          // The usual file: no scalars, an axis-aligned grid. One multiply-add per coordinate.
          for (let q = o >> 2, end = q + 3 * n, w = 3 * p; q < end; q += 3, w += 3) {
            positions[w] = a0 * (f32[q] ?? 0) + a3;
            positions[w + 1] = a5 * (f32[q + 1] ?? 0) + a7;
            positions[w + 2] = a10 * (f32[q + 2] ?? 0) + a11;
          }
          p += n;
          o += 12 * n;
        } else {
          for (let k = 0; k < n; k++, p++) {
            const x = fast ? (f32[o >> 2] ?? 0) : view.getFloat32(o, le);
            const y = fast ? (f32[(o >> 2) + 1] ?? 0) : view.getFloat32(o + 4, le);
            const z = fast ? (f32[(o >> 2) + 2] ?? 0) : view.getFloat32(o + 8, le);
            positions[3 * p] = a0 * x + a1 * y + a2 * z + a3;
            positions[3 * p + 1] = a4 * x + a5 * y + a6 * z + a7;
            positions[3 * p + 2] = a8 * x + a9 * y + a10 * z + a11;
            o += 12;
            for (let c = 0; c < ns; c++, o += 4) scalars[p * ns + c] = view.getFloat32(o, le);
          }
        }
        for (let c = 0; c < np; c++, o += 4) props[s * np + c] = view.getFloat32(o, le);
      }
      at = scan;
      streamlines += starts.length;
      yield {
        positions,
        offsets: Float64Array.from(ends),
        count: starts.length,
        dpp: split(header.scalars, scalars, ns),
        dps: split(header.properties, props, np),
      };
    }
    if (header.count > 0 && header.count !== streamlines) {
      throw badTractFile(
        path,
        `its header says n_count ${header.count} but it holds ${streamlines} streamline(s)`,
        'The file was cut short or its writer did not finish; regenerate it.',
      );
    }
  } finally {
    closeSync(fd);
  }
}

/** Splits interleaved values (`stride` per item) into one array per named group. */
function split(
  groups: readonly { name: string; components: number }[],
  values: Float32Array,
  stride: number,
): Record<string, DataArray> {
  const out: Record<string, DataArray> = {};
  if (stride === 0) return out;
  const items = values.length / stride;
  let first = 0;
  for (const { name, components } of groups) {
    const data = new Float32Array(items * components);
    for (let i = 0; i < items; i++) {
      for (let c = 0; c < components; c++) data[i * components + c] = values[i * stride + first + c] ?? 0;
    }
    out[name] = { data, components, dtype: 'float32' };
    first += components;
  }
  return out;
}
