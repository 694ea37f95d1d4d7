import { describe, expect, it } from 'vitest';
import { dice } from './dice.js';

describe('dice', () => {
  it('is 2|A∩B| / (|A| + |B|) of the voxels the predicate picks', () => {
    // A = {0, 1, 2}, B = {1, 2, 3}: overlap 2, sizes 3 + 3.
    expect(dice([3, 4, 5, 0], [0, 4, 6, 3], (v) => v >= 3)).toBeCloseTo(4 / 6, 12);
    expect(dice([1, 0], [1, 0], (v) => v === 1)).toBe(1);
    expect(dice([1, 0], [0, 1], (v) => v === 1)).toBe(0);
  });

  it('counts two empty sets as a perfect match and refuses images of different sizes', () => {
    expect(dice([0, 0], [0, 0], (v) => v === 1)).toBe(1);
    expect(() => dice([0], [0, 0], (v) => v === 1)).toThrow(/1 and 2 voxels/);
  });
});
