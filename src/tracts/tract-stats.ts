import { readNiftiVolume } from '../imaging/nifti-volume.js';
import { LengthAccumulator, type LengthSummary } from './length-stats.js';
import { openTracts, type TractFormat } from './open-tracts.js';
import { readTckHeader } from './tck-header.js';
import { readTckLengths, tckLengthsApply } from './tck-lengths.js';
import { makeSampler, sampleMeans } from './sample-image.js';
import type { StreamOptions } from './tck-reader.js';
import type { VoxelSpace } from './tractogram.js';

/** What `cohort tracts info` reports. */
export interface TractInfo {
  readonly path: string;
  readonly format: TractFormat;
  readonly bytes: number;
  readonly count: number;
  readonly points: number;
  readonly space: { dims: number[]; voxelSizes: number[]; affine: number[] } | undefined;
  readonly properties: Readonly<Record<string, string>>;
  readonly dpp: readonly { name: string; components: number }[];
  readonly dps: readonly { name: string; components: number }[];
}

/** Reads a tract file through once (streaming) and describes it. */
export function tractInfo(path: string, options: StreamOptions = {}): TractInfo {
  const source = openTracts(path);
  let count = 0;
  let points = 0;
  for (const batch of source.batches(options)) {
    count += batch.count;
    points += batch.offsets[batch.count] ?? 0;
  }
  return {
    path,
    format: source.format,
    bytes: source.bytes,
    count,
    points,
    space: spaceJson(source.space),
    properties: source.properties,
    dpp: source.dpp,
    dps: source.dps,
  };
}

function spaceJson(space: VoxelSpace | undefined): TractInfo['space'] {
  return space === undefined
    ? undefined
    : { dims: [...space.dims], voxelSizes: [...space.voxelSizes], affine: [...space.affine] };
}

/** Summary of per-streamline scalar means. */
export interface ScalarSummary {
  readonly image: string;
  /** Mean over streamlines of each streamline's length-weighted mean (tcksample -stat_tck mean). */
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
}

/** What `cohort tracts stats` reports. */
export interface TractStats {
  readonly path: string;
  readonly lengths: LengthSummary;
  readonly scalar?: ScalarSummary;
  /** Per streamline, when asked for: length and scalar mean. */
  readonly streamlines?: { readonly length: number[]; readonly scalarMean?: number[] };
}

/** Options of {@link tractStats}. */
export interface TractStatsOptions extends StreamOptions {
  /** A scalar NIfTI (e.g. FA) to average along each streamline. */
  readonly scalar?: string;
  /** Also return per-streamline values (memory grows with the count). */
  readonly perStreamline?: boolean;
}

/** Length statistics and, with a scalar image, its mean along streamlines; streams the file. */
export function tractStats(path: string, options: TractStatsOptions = {}): TractStats {
  const source = openTracts(path);
  const lengths = new LengthAccumulator();
  const sampler = options.scalar === undefined ? undefined : makeSampler(readNiftiVolume(options.scalar));
  const perLength: number[] = [];
  const perScalar: number[] = [];
  let n = 0;
  let sum = 0;
  let squares = 0;
  let min = Infinity;
  let max = -Infinity;
  const header = source.format === 'tck' && sampler === undefined ? readTckHeader(path) : undefined;
  if (header !== undefined && tckLengthsApply(header)) {
    // Lengths only: straight from the file's bytes, without building batches (twice as fast).
    for (const l of readTckLengths(path, header)) {
      options.signal?.throwIfAborted();
      lengths.addLengths(l);
      if (options.perStreamline === true) for (const v of l) perLength.push(v);
    }
  }
  for (const batch of header !== undefined && tckLengthsApply(header) ? [] : source.batches(options)) {
    const l = lengths.add(batch);
    if (options.perStreamline === true) for (const v of l) perLength.push(v);
    if (sampler === undefined) continue;
    for (const v of sampleMeans(batch, sampler)) {
      if (options.perStreamline === true) perScalar.push(v);
      if (!Number.isFinite(v)) continue;
      n++;
      sum += v;
      squares += v * v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  const mean = sum / n;
  const scalar =
    options.scalar === undefined
      ? undefined
      : {
          image: options.scalar,
          mean,
          std: n > 1 ? Math.sqrt(Math.max(0, (squares - n * mean * mean) / (n - 1))) : NaN,
          min: n ? min : NaN,
          max: n ? max : NaN,
        };
  return {
    path,
    lengths: lengths.summary(),
    ...(scalar === undefined ? {} : { scalar }),
    ...(options.perStreamline === true
      ? { streamlines: { length: perLength, ...(sampler === undefined ? {} : { scalarMean: perScalar }) } }
      : {}),
  };
}
