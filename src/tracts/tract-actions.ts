import { invalidInput } from '../errors/cohort-error.js';
import { readNiftiVolume } from '../imaging/nifti-volume.js';
import { writeNiftiLike } from '../imaging/write-nifti-like.js';
import { openTracts, readTracts, tractFormat, writeTracts, type WriteTractsOptions } from './open-tracts.js';
import { makeSampler } from './sample-image.js';
import { compileSelection, filterBatch } from './select-streamlines.js';
import { tckeditCommand, type SelectionRecipe } from './selection-recipe.js';
import type { StreamOptions } from './tck-reader.js';
import { TckWriter } from './tck-writer.js';
import { TrackMapper, type TrackMapOptions } from './track-map.js';
import { tractProfile, type TractProfile } from './tract-profile.js';
import { concatBatches, UNIT_SPACE, type StreamlineBatch } from './tractogram.js';
import { TrkWriter } from './trk-writer.js';

/** Refuses to write over the input, which is still being read. */
function checkDistinct(input: string, output: string): void {
  if (input === output) throw invalidInput(`The output ${output} is the input.`, 'Write to a new file.');
}

/** Result of {@link selectTracts}. */
export interface SelectResult {
  readonly input: number;
  readonly kept: number;
  /** The equivalent MRtrix3 command. */
  readonly tckedit: string;
}

/** Writes the streamlines of `input` that pass the recipe to `output` (streamed for TCK/TRK output). */
export function selectTracts(
  input: string,
  output: string,
  recipe: SelectionRecipe,
  options: StreamOptions = {},
): SelectResult {
  checkDistinct(input, output);
  const source = openTracts(input);
  const test = compileSelection(recipe);
  const format = tractFormat(output);
  let total = 0;
  let kept = 0;
  const parts: StreamlineBatch[] = [];
  let writer: TckWriter | TrkWriter | undefined;
  if (format === 'tck') writer = new TckWriter(output, source.properties);
  if (format === 'trk')
    writer = new TrkWriter(
      output,
      source.space ?? UNIT_SPACE,
      source.dpp.slice(0, 10),
      source.dps.slice(0, 10),
    );
  for (const batch of source.batches(options)) {
    const selected = filterBatch(batch, test);
    total += batch.count;
    kept += selected.count;
    if (writer === undefined) parts.push(selected);
    else writer.write(selected);
  }
  if (writer !== undefined) writer.close();
  else writeTracts(output, concatBatches(parts, { space: source.space, properties: source.properties }));
  return { input: total, kept, tckedit: tckeditCommand(recipe, input, output) };
}

/** Result of {@link mapTracts}. */
export interface MapResult {
  readonly output: string;
  readonly streamlines: number;
  readonly nonzeroVoxels: number;
  readonly max: number;
}

/** Writes a visit or endpoint map of `input` on the grid of `reference` to `output` (.nii or .nii.gz). */
export function mapTracts(
  input: string,
  reference: string,
  output: string,
  options: TrackMapOptions & StreamOptions,
): MapResult {
  if (!/\.nii(\.gz)?$/i.test(output))
    throw invalidInput(`Map output ${output} is not .nii or .nii.gz.`, 'Name it e.g. density.nii.gz.');
  const ref = readNiftiVolume(reference);
  const mapper = new TrackMapper(ref, options);
  let streamlines = 0;
  for (const batch of openTracts(input).batches(options)) {
    mapper.add(batch);
    streamlines += batch.count;
  }
  const counts = mapper.counts;
  writeNiftiLike(output, ref, counts);
  let nonzero = 0;
  let max = 0;
  for (const v of counts) {
    if (v !== 0) nonzero++;
    if (v > max) max = v;
  }
  return { output, streamlines, nonzeroVoxels: nonzero, max };
}

/** The along-tract profile of a scalar image over a bundle file (read whole: bundles are small). */
export function profileTracts(input: string, scalar: string, nodes = 100): TractProfile {
  if (!Number.isInteger(nodes) || nodes < 2 || nodes > 10000) {
    throw invalidInput(
      `Bad number of nodes ${nodes}.`,
      'Give a whole number from 2 to 10000 (100 is usual).',
    );
  }
  return tractProfile(readTracts(input), makeSampler(readNiftiVolume(scalar)), nodes);
}

/** Converts between TCK, TRK and TRX; returns the number of streamlines written. */
export function convertTracts(
  input: string,
  output: string,
  options: WriteTractsOptions & { reference?: string } = {},
): number {
  checkDistinct(input, output);
  const { reference, ...rest } = options;
  const space =
    reference === undefined
      ? undefined
      : (() => {
          const v = readNiftiVolume(reference);
          return { dims: v.dims, voxelSizes: v.voxelSizes, affine: v.affine };
        })();
  return writeTracts(output, openTracts(input), space === undefined ? rest : { ...rest, space });
}
