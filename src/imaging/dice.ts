import { invalidInput } from '../errors/cohort-error.js';

/**
 * The Dice overlap 2|A∩B| / (|A| + |B|) of two label images of one grid, where a voxel belongs to a
 * set when `inside(value)` holds (e.g. `(v) => v >= 3` for the brain of a tissue label image). Two
 * empty sets overlap perfectly (1).
 * @throws CohortError INVALID_INPUT when the images differ in size.
 * @example dice(predicted.data, truth.data, (v) => v === 4) // white matter
 */
export function dice(a: ArrayLike<number>, b: ArrayLike<number>, inside: (value: number) => boolean): number {
  if (a.length !== b.length) {
    throw invalidInput(
      `cannot compare label images of ${a.length} and ${b.length} voxels`,
      'Resample one onto the grid of the other first.',
    );
  }
  let both = 0;
  let sizes = 0;
  for (let i = 0; i < a.length; i++) {
    const inA = inside(a[i] ?? NaN);
    const inB = inside(b[i] ?? NaN);
    if (inA) sizes += 1;
    if (inB) sizes += 1;
    if (inA && inB) both += 1;
  }
  return sizes === 0 ? 1 : (2 * both) / sizes;
}
