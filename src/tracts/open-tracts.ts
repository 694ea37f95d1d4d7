import { statSync } from 'node:fs';
import { invalidInput, isCohortError } from '../errors/cohort-error.js';
import { readTckHeader } from './tck-header.js';
import { readTckBatches, type StreamOptions } from './tck-reader.js';
import { TckWriter } from './tck-writer.js';
import { fileError } from './tract-errors.js';
import {
  concatBatches,
  UNIT_SPACE,
  type StreamlineBatch,
  type Tractogram,
  type VoxelSpace,
} from './tractogram.js';
import { readTrkBatches, readTrkHeader } from './trk-reader.js';
import { TrkWriter } from './trk-writer.js';
import { openTrx, readTrxBatches, writeTrx, type TrxIndex, type TrxWriteOptions } from './trx-format.js';

export const TRACT_FORMATS = ['tck', 'trk', 'trx'] as const;
export type TractFormat = (typeof TRACT_FORMATS)[number];

/** The format a file name says (`.tck`, `.trk`, `.trx`, any case). */
export function tractFormat(path: string): TractFormat {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
  if ((TRACT_FORMATS as readonly string[]).includes(ext)) return ext as TractFormat;
  throw invalidInput(`${path}: unknown tract format '.${ext}'.`, 'Use a .tck, .trk or .trx file.', { path });
}

/** A tract file opened for streaming: its header facts and a way to read its streamlines in batches. */
export interface TractSource {
  readonly path: string;
  readonly format: TractFormat;
  readonly bytes: number;
  /** The count the header declares (undefined when it declares none). */
  readonly declaredCount: number | undefined;
  readonly space: VoxelSpace | undefined;
  readonly properties: Readonly<Record<string, string>>;
  /** Names and sizes of per-point and per-streamline data. */
  readonly dpp: readonly { name: string; components: number }[];
  readonly dps: readonly { name: string; components: number }[];
  /** Streams batches of whole streamlines; memory stays near one chunk (TRX deflated entries: one entry). */
  batches(options?: StreamOptions): Iterable<StreamlineBatch>;
}

/**
 * Opens a tract file: reads and checks its header (TRX: its zip directory and offsets).
 *
 * @throws CohortError NOT_FOUND, FILESYSTEM (a folder, no permission) or INVALID_INPUT (a bad file).
 */
export function openTracts(path: string): TractSource {
  try {
    return openChecked(path);
  } catch (error) {
    throw isCohortError(error) ? error : fileError(path, error);
  }
}

function openChecked(path: string): TractSource {
  const format = tractFormat(path);
  let bytes: number;
  try {
    bytes = statSync(path).size;
  } catch (error) {
    throw fileError(path, error);
  }
  if (format === 'tck') {
    const header = readTckHeader(path);
    return {
      path,
      format,
      bytes,
      declaredCount: header.count,
      space: undefined,
      properties: header.properties,
      dpp: [],
      dps: [],
      batches: (options) => readTckBatches(path, options, header),
    };
  }
  if (format === 'trk') {
    const header = readTrkHeader(path);
    return {
      path,
      format,
      bytes,
      declaredCount: header.count > 0 ? header.count : undefined,
      space: header.space,
      properties: { voxel_order: header.voxelOrder, trk_version: String(header.version) },
      dpp: header.scalars,
      dps: header.properties,
      batches: (options) => readTrkBatches(path, options, header),
    };
  }
  const index = openTrx(path);
  const shape = (arrays: TrxIndex['dpv']): { name: string; components: number }[] =>
    arrays.map(({ name, components }) => ({ name, components }));
  return {
    path,
    format,
    bytes,
    declaredCount: index.count,
    space: index.space,
    properties: { trx_positions_dtype: index.positions.dtype },
    dpp: shape(index.dpv),
    dps: shape(index.dps),
    batches: (options) => readTrxBatches(path, index, options),
  };
}

/** Reads a whole tract file into memory. */
export function readTracts(path: string, options: StreamOptions = {}): Tractogram {
  const source = openTracts(path);
  return concatBatches([...source.batches(options)], { space: source.space, properties: source.properties });
}

/** Options of {@link writeTracts}. */
export interface WriteTractsOptions extends TrxWriteOptions {
  /** The grid for TRK and TRX output when the input has none (TCK); default: the input's, else 1 mm identity. */
  readonly space?: VoxelSpace;
  /** TCK output as float64 (default: float64 only when the input positions are). */
  readonly float64?: boolean;
}

/**
 * Writes streamlines from a source (streamed batch by batch for TCK and TRK output) or a tractogram to
 * `path`, in the format its extension names. Returns the number of streamlines written.
 */
export function writeTracts(
  path: string,
  input: TractSource | Tractogram,
  options: WriteTractsOptions = {},
): number {
  const format = tractFormat(path);
  const batches: Iterable<StreamlineBatch> = 'batches' in input ? input.batches() : [input];
  const space = options.space ?? input.space ?? UNIT_SPACE;
  if (format === 'trx') {
    const whole =
      'batches' in input
        ? concatBatches([...batches], { space, properties: input.properties })
        : { ...input, space };
    writeTrx(path, whole, options);
    return whole.count;
  }
  const shape = (arrays: 'dpp' | 'dps'): { name: string; components: number }[] =>
    'batches' in input
      ? [...input[arrays]]
      : Object.entries(input[arrays]).map(([name, a]) => ({ name, components: a.components }));
  let writer: TckWriter | TrkWriter | undefined;
  for (const batch of batches) {
    writer ??=
      format === 'tck'
        ? new TckWriter(path, input.properties, options.float64 ?? batch.positions instanceof Float64Array)
        : new TrkWriter(path, space, shape('dpp').slice(0, 10), shape('dps').slice(0, 10));
    writer.write(batch);
  }
  writer ??=
    format === 'tck'
      ? new TckWriter(path, input.properties, options.float64 ?? false)
      : new TrkWriter(path, space);
  return writer.close();
}
