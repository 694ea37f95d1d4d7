import { describe, expect, it } from 'vitest';
import { nthSmallest } from './nth-smallest.js';

describe('nthSmallest', () => {
  let seed = 7;
  const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 200 - 100;

  it('picks what a full sort puts at k, ties and negatives included', () => {
    for (const n of [1, 2, 3, 10, 101, 5000]) {
      const values = Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 3 : Math.round(rand())));
      const sorted = Float64Array.from(values).sort();
      for (const k of [0, Math.floor(n / 100), Math.floor(n / 2), Math.floor(0.99 * (n - 1)), n - 1])
        expect(nthSmallest(Float64Array.from(values), k), `n=${n} k=${k}`).toBe(sorted[k]);
    }
  });

  it('selects within a range and leaves the rest of the array alone', () => {
    const values = Float32Array.from({ length: 64 }, () => Math.round(rand()));
    const work = Float32Array.from(values);
    const sortedRange = Float32Array.from(values.subarray(10, 40)).sort();
    expect(nthSmallest(work, 10 + 15, 10, 40)).toBe(sortedRange[15]);
    expect([...work.subarray(0, 10)]).toEqual([...values.subarray(0, 10)]);
    expect([...work.subarray(40)]).toEqual([...values.subarray(40)]);
  });
});
