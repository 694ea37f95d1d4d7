import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { isCohortError } from '../errors/cohort-error.js';
import { openTracts, readTracts, writeTracts } from './open-tracts.js';
import type { Tractogram } from './tractogram.js';
import { floatToHalf, halfToFloat } from './trx-dtypes.js';

const dir = mkdtempSync(join(tmpdir(), 'cohort-tracts-'));
const at = (name: string): string => join(dir, name);

/** Three streamlines (4, 1 and 3 points) with per-point and per-streamline data, on a 2 mm oblique grid. */
function sample(): Tractogram {
  const positions = Float32Array.from(
    [
      [1.5, -2.25, 3],
      [2.5, -2, 3.5],
      [3.25, -1.5, 4],
      [4, -1, 5.125],
      [10, 10, 10],
      [-5, 0.5, 7],
      [-6, 1.5, 7.5],
      [-7.75, 2, 8],
    ].flat(),
  );
  const affine = Float64Array.from([2, 0, 0.1, -40, 0, 2, 0, -50, 0, 0, 2.5, -30, 0, 0, 0, 1]);
  return {
    positions,
    offsets: Float64Array.from([0, 4, 5, 8]),
    count: 3,
    dpp: { fa: { data: Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]), components: 1 } },
    dps: {
      weight: { data: Float32Array.from([1, 2, 3]), components: 1 },
      rgb: { data: Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), components: 3 },
    },
    space: { dims: [40, 50, 30], voxelSizes: [2, 2, 2.5], affine },
    properties: { comment: 'line one\nline two' },
  };
}

/** Expects the same points, up to `tolerance` mm. */
function expectSamePoints(actual: Tractogram, expected: Tractogram, tolerance = 0): void {
  expect(actual.count).toBe(expected.count);
  expect([...actual.offsets]).toEqual([...expected.offsets]);
  const worst = Math.max(
    0,
    ...[...expected.positions].map((v, i) => Math.abs(v - (actual.positions[i] ?? NaN))),
  );
  expect(worst).toBeLessThanOrEqual(tolerance);
}

/** The error a call throws (it must throw a CohortError). */
function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (isCohortError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected an error');
}

describe('TCK', () => {
  it('round-trips every point bit for bit, keeps multi-line header fields, and streams across chunk borders', () => {
    const t = sample();
    writeTracts(at('a.tck'), t);
    const back = readTracts(at('a.tck'));
    expectSamePoints(back, t);
    expect(back.properties['comment']).toBe('line one\nline two');
    // Chunks of 3 points: every streamline crosses a chunk border.
    const batches = [...openTracts(at('a.tck')).batches({ chunkPoints: 3 })];
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.reduce((n, b) => n + b.count, 0)).toBe(3);
  });

  it('reads float64 and big-endian data (as MRtrix may write them)', () => {
    const t = sample();
    for (const [type, size, le] of [
      ['Float64LE', 8, true],
      ['Float32BE', 4, false],
      ['Float64BE', 8, false],
    ] as const) {
      const points = [...t.positions];
      const values = [
        ...points.slice(0, 12),
        NaN,
        NaN,
        NaN,
        ...points.slice(12, 15),
        NaN,
        NaN,
        NaN,
        ...points.slice(15),
        NaN,
        NaN,
        NaN,
        Infinity,
        Infinity,
        Infinity,
      ];
      const head = `mrtrix tracks\ncount: 3\ndatatype: ${type}\nfile: . 64\nEND\n`.padEnd(64, '\0');
      const bytes = Buffer.alloc(64 + values.length * size);
      bytes.write(head, 'latin1');
      const view = new DataView(bytes.buffer, bytes.byteOffset);
      values.forEach((v, i) =>
        size === 8 ? view.setFloat64(64 + 8 * i, v, le) : view.setFloat32(64 + 4 * i, v, le),
      );
      writeFileSync(at(`${type}.tck`), bytes);
      const back = readTracts(at(`${type}.tck`));
      expectSamePoints(back, t);
      expect(back.positions instanceof Float64Array).toBe(size === 8);
    }
    writeTracts(at('f64.tck'), readTracts(at('Float64BE.tck')));
    expect(readTracts(at('f64.tck')).positions).toBeInstanceOf(Float64Array);
  });

  it('reports wrong magic, truncation, a lying count and an absurd header clearly', () => {
    writeTracts(at('ok.tck'), sample());
    const good = readFileSync(at('ok.tck'));
    writeFileSync(at('magic.tck'), Buffer.concat([Buffer.from('MRTRIX'), good.subarray(6)]));
    expect(errorOf(() => readTracts(at('magic.tck'))).message).toMatch(/does not start with 'mrtrix tracks'/);
    writeFileSync(at('cut.tck'), good.subarray(0, good.length - 20));
    expect(errorOf(() => readTracts(at('cut.tck'))).message).toMatch(/truncated/);
    writeFileSync(
      at('lies.tck'),
      Buffer.from(good.toString('latin1').replace('count: 0000000003', 'count: 0000000009'), 'latin1'),
    );
    expect(errorOf(() => readTracts(at('lies.tck'))).message).toMatch(/count: 9 but it holds 3/);
    writeFileSync(at('huge.tck'), Buffer.concat([Buffer.from('mrtrix tracks\n'), Buffer.alloc(1.5e6, 'x')]));
    expect(errorOf(() => readTracts(at('huge.tck'))).message).toMatch(/no END line/);
    expect(errorOf(() => readTracts(at('missing.tck'))).code).toBe('NOT_FOUND');
    expect(errorOf(() => readTracts(at('x.vtk'))).message).toMatch(/unknown tract format/);
  });
});

describe('TRK', () => {
  it('round-trips points (float32 voxmm: within 1e-4 mm), scalars and properties', () => {
    const t = sample();
    writeTracts(at('a.trk'), t);
    const back = readTracts(at('a.trk'));
    // TRK stores voxmm in float32: going world -> voxmm -> world rounds twice.
    expectSamePoints(back, t, 1e-4);
    expect([...(back.dpp['fa']?.data ?? [])]).toEqual([...t.dpp['fa']!.data]);
    expect(back.dps['rgb']?.components).toBe(3);
    expect([...(back.dps['rgb']?.data ?? [])]).toEqual([...t.dps['rgb']!.data]);
    expect([...(back.space?.affine ?? [])].map((v) => Math.fround(v))).toEqual(
      [...t.space!.affine].map((v) => Math.fround(v)),
    );
  });

  it('applies the half-voxel shift and the voxel order (nibabel test files: standard, LPS, complex)', () => {
    const standard = readTracts(join(import.meta.dirname, '../../test-data/tracts/standard.tck'));
    for (const name of ['standard.trk', 'standard.LPS.trk']) {
      expectSamePoints(readTracts(join(import.meta.dirname, '../../test-data/tracts', name)), standard, 1e-5);
    }
    const complex = readTracts(join(import.meta.dirname, '../../test-data/tracts/complex.trk'));
    expect(Object.keys(complex.dpp).sort()).toEqual(['colors', 'fa']);
    expect(complex.dpp['colors']?.components).toBe(3);
    expect(complex.dps['mean_colors']?.components).toBe(3);
  });

  it('reports a bad hdr_size, a lying count and an absurd point count', () => {
    writeTracts(at('ok.trk'), sample());
    const good = Buffer.from(readFileSync(at('ok.trk')));
    const bad = Buffer.from(good);
    bad.writeInt32LE(999, 996);
    expect(errorOf(() => readTracts(at('bad.trk'))).code).toBe('NOT_FOUND');
    writeFileSync(at('bad.trk'), bad);
    expect(errorOf(() => readTracts(at('bad.trk'))).message).toMatch(/hdr_size/);
    const lies = Buffer.from(good);
    lies.writeInt32LE(7, 988);
    writeFileSync(at('lies.trk'), lies);
    expect(errorOf(() => readTracts(at('lies.trk'))).message).toMatch(/n_count 7 but it holds 3/);
    const absurd = Buffer.from(good);
    absurd.writeInt32LE(2 ** 30, 1000);
    writeFileSync(at('absurd.trk'), absurd);
    expect(errorOf(() => readTracts(at('absurd.trk'))).message).toMatch(/claims 1073741824 points/);
    writeFileSync(at('cut.trk'), good.subarray(0, good.length - 6));
    expect(errorOf(() => readTracts(at('cut.trk'))).message).toMatch(/truncated/);
  });
});

describe('TRX', () => {
  it('round-trips positions as float32 and float64 exactly, float16 to half precision, with dpv and dps', () => {
    const t = sample();
    writeTracts(at('a.trx'), t);
    const back = readTracts(at('a.trx'));
    expectSamePoints(back, t);
    expect([...(back.dps['rgb']?.data ?? [])]).toEqual([...t.dps['rgb']!.data]);
    expect([...(back.dpp['fa']?.data ?? [])]).toEqual([...t.dpp['fa']!.data]);
    const t64 = { ...t, positions: Float64Array.from(t.positions, (v) => v + 1e-9) };
    writeTracts(at('b.trx'), t64);
    expect([...readTracts(at('b.trx')).positions]).toEqual([...t64.positions]);
    writeTracts(at('c.trx'), t, { positions: 'float16', offsets: 'uint64' });
    expectSamePoints(readTracts(at('c.trx')), t, 0.01);
    // TRX to TCK to TRX keeps every point.
    writeTracts(at('c.tck'), readTracts(at('a.trx')));
    expectSamePoints(readTracts(at('c.tck')), t);
  });

  it('reports a non-zip, a zip without header and positions of the wrong size', () => {
    writeFileSync(at('not.trx'), 'hello');
    expect(errorOf(() => readTracts(at('not.trx'))).message).toMatch(/not a zip/);
    writeFileSync(at('nohead.trx'), zipSync({ 'positions.3.float32': new Uint8Array(12) }));
    expect(errorOf(() => readTracts(at('nohead.trx'))).message).toMatch(/no header.json/);
    const header = Buffer.from(JSON.stringify({ NB_VERTICES: 5, NB_STREAMLINES: 1 }));
    writeFileSync(
      at('short.trx'),
      zipSync({
        'header.json': header,
        'positions.3.float32': new Uint8Array(12),
        'offsets.uint32': new Uint8Array(4),
      }),
    );
    expect(errorOf(() => readTracts(at('short.trx'))).message).toMatch(/NB_VERTICES 5/);
  });

  it('converts float16 exactly where representable and rounds to nearest even', () => {
    for (const v of [0, 1, -2, 0.5, 65504, 2 ** -24, -(2 ** -14), 1.5])
      expect(halfToFloat(floatToHalf(v))).toBe(v);
    expect(halfToFloat(floatToHalf(1 + 2 ** -11))).toBe(1); // a tie rounds to the even mantissa
    expect(halfToFloat(floatToHalf(1e6))).toBe(Infinity);
  });
});
