import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCohortError } from '../errors/cohort-error.js';
import { batchLengths } from './length-stats.js';
import { readTckBatches } from './tck-reader.js';
import { readTckLengths } from './tck-lengths.js';

const dir = mkdtempSync(join(tmpdir(), 'tck-lengths-'));

/** A TCK file of the given float32 triplets (NaN/Inf included as written), little or big endian. */
function tck(name: string, values: number[], littleEndian = true, count?: number): string {
  const type = littleEndian ? 'Float32LE' : 'Float32BE';
  const head = `mrtrix tracks\n${count === undefined ? '' : `count: ${count}\n`}datatype: ${type}\nfile: . 128\nEND\n`;
  const bytes = Buffer.alloc(128 + values.length * 4);
  bytes.write(head);
  values.forEach((v, i) =>
    littleEndian ? bytes.writeFloatLE(v, 128 + 4 * i) : bytes.writeFloatBE(v, 128 + 4 * i),
  );
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Every length, copied chunk by chunk (the yielded array is reused). */
function lengthsOf(path: string, chunk?: number): number[] {
  const out: number[] = [];
  for (const l of readTckLengths(path, undefined, chunk)) out.push(...l);
  return out;
}

/** Random walks of uneven lengths, some empty, NaN-separated, Inf-terminated. */
function walks(count: number): number[] {
  const out: number[] = [];
  let seed = 3;
  const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let s = 0; s < count; s++) {
    const n = s % 7 === 0 ? 0 : 1 + Math.floor(rnd() * 40);
    for (let p = 0; p < n; p++) out.push(rnd() * 100 - 50, rnd() * 100 - 50, rnd() * 100 - 50);
    out.push(NaN, NaN, NaN);
  }
  out.push(Infinity, Infinity, Infinity);
  return out;
}

describe('readTckLengths (the fast path of tracts stats)', () => {
  it('gives exactly the lengths of the batch reader, whatever the chunk size and byte order', () => {
    const values = walks(500);
    const reference: number[] = [];
    for (const b of readTckBatches(tck('le.tck', values, true, 500), { chunkPoints: 97 })) {
      reference.push(...batchLengths(b));
    }
    expect(reference).toHaveLength(500);
    expect(reference.filter(Number.isNaN)).toHaveLength(Math.ceil(500 / 7)); // the empty streamlines
    for (const chunk of [1, 2, 13, 1 << 16]) {
      expect(lengthsOf(join(dir, 'le.tck'), chunk)).toEqual(reference);
      expect(lengthsOf(tck('be.tck', values, false, 500), chunk)).toEqual(reference);
    }
  });

  it('ends a last streamline at the end marker without a NaN, and stops there', () => {
    const path = tck('last.tck', [
      0,
      0,
      0,
      3,
      4,
      0,
      NaN,
      NaN,
      NaN,
      0,
      0,
      0,
      0,
      0,
      2,
      Infinity,
      Infinity,
      Infinity,
      9,
      9,
      9,
    ]);
    expect(lengthsOf(path)).toEqual([5, 2]);
  });

  it('rejects a truncated file and a header count that lies', () => {
    const problem = (path: string): string => {
      try {
        lengthsOf(path);
      } catch (error) {
        expect(isCohortError(error)).toBe(true);
        return (error as Error).message;
      }
      return 'no error';
    };
    expect(problem(tck('cut.tck', [0, 0, 0, 1, 1, 1, NaN, NaN, NaN, 2, 2]))).toMatch(/truncated/);
    expect(
      problem(tck('lies.tck', [0, 0, 0, 1, 1, 1, NaN, NaN, NaN, Infinity, Infinity, Infinity], true, 2)),
    ).toMatch(/count: 2 but it holds 1/);
  });
});
