import { readFileSync, writeFileSync } from 'node:fs';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { badTractFile, fileError } from './tract-errors.js';
import type { DataArray, Tractogram } from './tractogram.js';
import { decodeArray, encodeArray, isTrxDtype, type TrxDtype } from './trx-dtypes.js';

/**
 * TRX (tee-ar-ex): a zip holding `header.json`, `positions.3.<dtype>` (world RAS mm), `offsets.<dtype>`
 * (the first point of each streamline), and optional `dpv/` (data per vertex) and `dps/` (data per
 * streamline) arrays named `<name>[.<components>].<dtype>`. Read whole into memory (the container is
 * meant to be memory-mapped; a zip gives no streaming order guarantee).
 */
export function readTrx(path: string): Tractogram {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw fileError(path, error);
  }
  if (bytes[0] !== 0x50 || bytes[1] !== 0x4b)
    throw badTractFile(path, 'it is not a zip archive (TRX files are zips)');
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (error) {
    throw badTractFile(path, `its zip is corrupt or truncated (${(error as Error).message})`);
  }
  const entries = Object.entries(files).map(
    ([name, data]) => [name.replace(/^[^/]*\.trx\//, ''), data] as const,
  );
  const find = (re: RegExp): [string, Uint8Array] | undefined =>
    entries.find(([name]) => re.test(name)) as [string, Uint8Array] | undefined;
  const headerFile = find(/^header\.json$/);
  if (headerFile === undefined) throw badTractFile(path, 'its zip has no header.json');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(headerFile[1]).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw badTractFile(path, 'its header.json is not valid JSON');
  }
  const vertices = Number(header['NB_VERTICES']);
  const count = Number(header['NB_STREAMLINES']);
  if (!Number.isInteger(vertices) || !Number.isInteger(count) || vertices < 0 || count < 0) {
    throw badTractFile(path, 'its header.json lacks whole NB_VERTICES and NB_STREAMLINES');
  }
  const array = (re: RegExp, what: string): [TrxDtype, Uint8Array] => {
    const file = find(re);
    const dtype = file?.[0].split('.').pop() ?? '';
    if (file === undefined || !isTrxDtype(dtype)) throw badTractFile(path, `it has no ${what} array`);
    return [dtype, file[1]];
  };
  const [pdtype, pbytes] = array(/^positions\.3\.\w+$/, 'positions.3.<float16|float32|float64>');
  const decoded = decodeArray(pbytes, pdtype);
  if (decoded.length !== vertices * 3) {
    throw badTractFile(
      path,
      `positions hold ${decoded.length / 3} points, header.json says NB_VERTICES ${vertices}`,
    );
  }
  const [odtype, obytes] = array(/^offsets\.\w+$/, 'offsets.<uint32|uint64>');
  const starts = decodeArray(obytes, odtype);
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
  const data = (folder: 'dpv' | 'dps', items: number): Record<string, DataArray> => {
    const out: Record<string, DataArray> = {};
    for (const [name, bytes] of entries) {
      const match = new RegExp(`^${folder}/([^/]+?)(?:\\.(\\d+))?\\.(\\w+)$`).exec(name);
      if (match === null || !isTrxDtype(match[3] ?? '')) continue;
      const dtype = match[3] as TrxDtype;
      const values = decodeArray(bytes, dtype);
      const components = Number(match[2] ?? 1);
      if (values.length !== items * components) {
        throw badTractFile(path, `${name} holds ${values.length} values, expected ${items * components}`);
      }
      out[match[1] ?? name] = { data: values, components, dtype };
    }
    return out;
  };
  const space = spaceOf(header);
  return {
    positions: decoded,
    offsets,
    count,
    dpp: data('dpv', vertices),
    dps: data('dps', count),
    space,
    properties: { trx_positions_dtype: pdtype },
  };
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
