import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { zipSync, type Zippable } from 'fflate';
import { isCohortError } from '../errors/cohort-error.js';
import type { StreamOptions } from './tck-reader.js';
import { badTractFile, fileError } from './tract-errors.js';
import type { DataArray, StreamlineBatch, Tractogram } from './tractogram.js';
import { decodeArray, dtypeSize, encodeArray, isTrxDtype, type TrxDtype } from './trx-dtypes.js';
import { readZipEntries, readZipEntry, type ZipEntry } from './zip-entries.js';

/** Where a TRX file's arrays lie, read from its zip directory, header.json and offsets. */
export interface TrxIndex {
  readonly count: number;
  readonly vertices: number;
  /** `count + 1` entries. */
  readonly offsets: Float64Array;
  readonly positions: { readonly entry: ZipEntry; readonly dtype: TrxDtype };
  readonly dpv: readonly TrxArray[];
  readonly dps: readonly TrxArray[];
  readonly space: Tractogram['space'];
}

interface TrxArray {
  readonly name: string;
  readonly components: number;
  readonly dtype: TrxDtype;
  readonly entry: ZipEntry;
}

/**
 * TRX (tee-ar-ex): a zip holding `header.json`, `positions.3.<dtype>` (world RAS mm), `offsets.<dtype>`
 * (the first point of each streamline), and optional `dpv/` (data per vertex) and `dps/` (data per
 * streamline) arrays named `<name>[.<components>].<dtype>`. Opening reads the zip directory, the header
 * and the offsets; positions are then read in place, chunk by chunk (see {@link readTrxBatches}).
 */
export function openTrx(path: string): TrxIndex {
  let entries: ZipEntry[];
  try {
    const magic = new Uint8Array(2);
    const fd = openSync(path, 'r');
    readSync(fd, magic, 0, 2, 0);
    closeSync(fd);
    if (magic[0] !== 0x50 || magic[1] !== 0x4b)
      throw badTractFile(path, 'it is not a zip archive (TRX files are zips)');
    entries = readZipEntries(path);
  } catch (error) {
    throw isCohortError(error) ? error : fileError(path, error);
  }
  const named = entries.map((e) => ({ ...e, name: e.name.replace(/^[^/]*\.trx\//, '') }));
  const find = (re: RegExp): ZipEntry | undefined => named.find((e) => re.test(e.name));
  const headerEntry = find(/^header\.json$/);
  if (headerEntry === undefined) throw badTractFile(path, 'its zip has no header.json');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(readZipEntry(path, headerEntry)).toString('utf8')) as Record<
      string,
      unknown
    >;
  } catch {
    throw badTractFile(path, 'its header.json is not valid JSON');
  }
  const vertices = Number(header['NB_VERTICES']);
  const count = Number(header['NB_STREAMLINES']);
  if (!Number.isInteger(vertices) || !Number.isInteger(count) || vertices < 0 || count < 0) {
    throw badTractFile(path, 'its header.json lacks whole NB_VERTICES and NB_STREAMLINES');
  }
  const array = (re: RegExp, what: string): { entry: ZipEntry; dtype: TrxDtype } => {
    const entry = find(re);
    const dtype = entry?.name.split('.').pop() ?? '';
    if (entry === undefined || !isTrxDtype(dtype)) throw badTractFile(path, `it has no ${what} array`);
    return { entry, dtype };
  };
  const positions = array(/^positions\.3\.\w+$/, 'positions.3.<float16|float32|float64>');
  if (positions.entry.size !== vertices * 3 * dtypeSize(positions.dtype)) {
    throw badTractFile(
      path,
      `positions hold ${positions.entry.size / 3 / dtypeSize(positions.dtype)} points, header.json says NB_VERTICES ${vertices}`,
    );
  }
  const o = array(/^offsets\.\w+$/, 'offsets.<uint32|uint64>');
  const starts = decodeArray(readZipEntry(path, o.entry), o.dtype);
  if (starts.length !== count && starts.length !== count + 1) {
    throw badTractFile(
      path,
      `offsets hold ${starts.length} entries, header.json says NB_STREAMLINES ${count}`,
    );
  }
  const offsets = new Float64Array(count + 1);
  offsets.set(starts.subarray(0, count));
  offsets[count] = vertices;
  for (let i = 0; i < count; i++) {
    if (!((offsets[i] ?? 0) <= (offsets[i + 1] ?? 0)))
      throw badTractFile(path, `offsets are not increasing at streamline ${i}`);
  }
  const arrays = (folder: 'dpv' | 'dps', items: number): TrxArray[] =>
    named.flatMap((entry) => {
      const match = new RegExp(`^${folder}/([^/]+?)(?:\\.(\\d+))?\\.(\\w+)$`).exec(entry.name);
      if (match === null || !isTrxDtype(match[3] ?? '')) return [];
      const dtype = match[3] as TrxDtype;
      const components = Number(match[2] ?? 1);
      if (entry.size !== items * components * dtypeSize(dtype)) {
        throw badTractFile(
          path,
          `${entry.name} holds ${entry.size / dtypeSize(dtype)} values, expected ${items * components}`,
        );
      }
      return [{ name: match[1] ?? entry.name, components, dtype, entry }];
    });
  return {
    count,
    vertices,
    offsets,
    positions,
    dpv: arrays('dpv', vertices),
    dps: arrays('dps', count),
    space: spaceOf(header),
  };
}

/** Streams a TRX file in batches of whole streamlines of about `chunkPoints` points. */
export function* readTrxBatches(
  path: string,
  index: TrxIndex,
  options: StreamOptions = {},
): Generator<StreamlineBatch> {
  const chunk = Math.max(1, options.chunkPoints ?? 1 << 20);
  const size = dtypeSize(index.positions.dtype);
  for (let first = 0; first < index.count || (first === 0 && index.count === 0);) {
    options.signal?.throwIfAborted();
    let last = first + 1;
    while (last < index.count && (index.offsets[last + 1] ?? 0) - (index.offsets[first] ?? 0) <= chunk)
      last++;
    last = Math.min(last, index.count);
    const p0 = index.offsets[first] ?? 0;
    const p1 = index.offsets[last] ?? 0;
    const positions = decodeArray(
      readZipEntry(path, index.positions.entry, p0 * 3 * size, (p1 - p0) * 3 * size),
      index.positions.dtype,
    );
    const slice = (arrays: readonly TrxArray[], from: number, to: number): Record<string, DataArray> =>
      Object.fromEntries(
        arrays.map((a) => {
          const bytes = dtypeSize(a.dtype) * a.components;
          const data = decodeArray(readZipEntry(path, a.entry, from * bytes, (to - from) * bytes), a.dtype);
          return [a.name, { data, components: a.components, dtype: a.dtype }];
        }),
      );
    yield {
      positions,
      offsets: index.offsets.slice(first, last + 1).map((v) => v - p0),
      count: last - first,
      dpp: slice(index.dpv, p0, p1),
      dps: slice(index.dps, first, last),
    };
    if (index.count === 0) break;
    first = last;
  }
}

function spaceOf(header: Record<string, unknown>): Tractogram['space'] {
  const affine = header['VOXEL_TO_RASMM'];
  const dims = header['DIMENSIONS'];
  if (!Array.isArray(affine) || !Array.isArray(dims)) return undefined;
  const flat = Float64Array.from((affine as unknown[]).flat().map(Number));
  if (flat.length !== 16) return undefined;
  const sizes = [0, 1, 2].map((j) => Math.hypot(flat[j] ?? 0, flat[4 + j] ?? 0, flat[8 + j] ?? 0));
  return {
    dims: [Number(dims[0]), Number(dims[1]), Number(dims[2])],
    voxelSizes: [sizes[0] ?? 1, sizes[1] ?? 1, sizes[2] ?? 1],
    affine: flat,
  };
}

/** Options of {@link writeTrx}. */
export interface TrxWriteOptions {
  /** Default: float64 when the positions are float64, else float32. */
  readonly positions?: 'float16' | 'float32' | 'float64';
  /** Default: uint32 while the points fit, else uint64. */
  readonly offsets?: 'uint32' | 'uint64';
}

/** Writes a tractogram as a TRX zip (stored, not compressed: readers may memory-map it). */
export function writeTrx(path: string, t: Tractogram, options: TrxWriteOptions = {}): void {
  const vertices = t.offsets[t.count] ?? 0;
  const space = t.space;
  const header = {
    VOXEL_TO_RASMM:
      space === undefined
        ? [
            [1, 0, 0, 0],
            [0, 1, 0, 0],
            [0, 0, 1, 0],
            [0, 0, 0, 1],
          ]
        : [0, 1, 2, 3].map((i) => [...space.affine.subarray(4 * i, 4 * i + 4)]),
    DIMENSIONS: space === undefined ? [1, 1, 1] : [...space.dims],
    NB_VERTICES: vertices,
    NB_STREAMLINES: t.count,
  };
  const pdtype = options.positions ?? (t.positions instanceof Float64Array ? 'float64' : 'float32');
  const odtype = options.offsets ?? (vertices < 2 ** 32 ? 'uint32' : 'uint64');
  const files: Zippable = {
    'header.json': Buffer.from(JSON.stringify(header)),
    [`positions.3.${pdtype}`]: encodeArray(t.positions.subarray(0, vertices * 3), pdtype),
    [`offsets.${odtype}`]: encodeArray(t.offsets.subarray(0, t.count), odtype),
  };
  const put = (folder: string, arrays: Readonly<Record<string, DataArray>>): void => {
    for (const [name, a] of Object.entries(arrays)) {
      const dtype =
        a.dtype !== undefined && isTrxDtype(a.dtype)
          ? a.dtype
          : a.data instanceof Float64Array
            ? 'float64'
            : 'float32';
      const label = a.components === 1 ? `${name}.${dtype}` : `${name}.${a.components}.${dtype}`;
      files[`${folder}/${label}`] = encodeArray(a.data, dtype);
    }
  };
  put('dpv', t.dpp);
  put('dps', t.dps);
  writeFileSync(path, zipSync(files, { level: 0 }));
}
