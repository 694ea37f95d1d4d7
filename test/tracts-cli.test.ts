import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNifti1 } from '../src/demo/nifti1.js';
import { HOSTILE_NAME, testData } from '../src/jobs/test-fixture.js';
import { runCohort } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';

// `cohort tracts ...` as users run it: the built CLI, real dipy bundles, file names that break shells.

function cohort(...args: string[]): { code: number; stdout: string; stderr: string } {
  return runCohort(args, { COHORT_HOME: join(tempDir(), 'home') });
}

function json<T>(...args: string[]): T {
  const run = cohort(...args, '--json');
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

describe('cohort tracts', () => {
  it('converts, describes, selects, maps, profiles and computes statistics with hostile file names', () => {
    const dir = join(tempDir(), `study ${HOSTILE_NAME}`);
    mkdirSync(dir);
    const trk = join(dir, `AF_L ${HOSTILE_NAME}.trk`);
    copyFileSync(testData('tracts', 'bundles', 'sub_1', 'AF_L.trk'), trk);
    const tck = join(dir, 'af l.tck');
    expect(json<{ streamlines: number }>('tracts', 'convert', trk, tck).streamlines).toBe(50);
    const trx = join(dir, 'af l.trx');
    expect(cohort('tracts', 'convert', tck, trx, '--positions', 'float16').code).toBe(0);
    const infos = json<{ format: string; count: number; points: number }[]>('tracts', 'info', trk, tck, trx);
    expect(infos.map((i) => [i.format, i.count, i.points])).toEqual([
      ['trk', 50, 1000],
      ['tck', 50, 1000],
      ['trx', 50, 1000],
    ]);

    // A 2 mm grid centred on the origin covers the MNI-space bundle.
    const grid = join(dir, `grid ${HOSTILE_NAME}.nii`);
    writeNifti1(grid, {
      dims: [90, 110, 90],
      pixdim: [2, 2, 2],
      datatype: 'int16',
      data: new Int16Array(90 * 110 * 90),
    });
    const density = join(dir, 'density.nii.gz');
    const map = json<{ nonzeroVoxels: number; max: number }>('tracts', 'map', tck, grid, density);
    expect(map.nonzeroVoxels).toBeGreaterThan(100);
    expect(map.max).toBeLessThanOrEqual(50);
    expect(existsSync(density)).toBe(true);

    const stats = json<{ lengths: { count: number; mean: number }; scalars: { mean: number }[] }>(
      'tracts',
      'stats',
      tck,
      density,
    );
    expect(stats.lengths.count).toBe(50);
    expect(stats.lengths.mean).toBeCloseTo(120.2814, 3);
    expect(stats.scalars[0]?.mean).toBeGreaterThan(1);

    const selected = join(dir, `picked ${HOSTILE_NAME}.trk`);
    const select = json<{ kept: number; input: number; tckedit: string }>(
      'tracts',
      'select',
      trk,
      selected,
      '--include=-35,-17,-9,6',
      '--min-length',
      '100',
    );
    expect([select.input, select.kept]).toEqual([50, 33]);
    expect(select.tckedit).toContain('-include -35,-17,-9,6 -minlength 100');
    expect(select.tckedit).toContain(`'${dir.replace(/'/g, `'\\''`)}`);

    const tsv = join(dir, 'out', 'profile.tsv');
    const profile = cohort(
      'tracts',
      'profile',
      tck,
      density,
      '--nodes',
      '20',
      '--tsv',
      tsv,
      '--item',
      'P01#2024',
      '--measure',
      'density',
    );
    expect(profile.code, profile.stderr).toBe(0);
    const rows = readFileSync(tsv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('subject\tstudy\tbundle\tmeasure\tnode\tvalue');
    expect(rows).toHaveLength(21);
    expect(rows[1]).toMatch(/^P01\t2024\taf l\tdensity\t0\t\d/);
  });

  it('fails with a clear message and exit code 2 on bad input, never a stack trace', () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.tck');
    writeFileSync(bad, 'mrtrix tracks\ncount: 3\ndatatype: Float32LE\nfile: . 80\nEND\n');
    for (const [args, message] of [
      [['tracts', 'stats', bad], /header says count: 3 but it holds 0/],
      [['tracts', 'info', join(dir, 'x.vtk')], /unknown tract format/],
      [['tracts', 'select', bad, join(dir, 'o.tck')], /No selection rule given/],
      [['tracts', 'select', bad, join(dir, 'o.tck'), '--include', '1,2,3'], /sphere '1,2,3'|No such file/],
      [['tracts', 'map', bad, join(dir, 'nope.nii'), join(dir, 'm.nii')], /No such file|Cannot read image/],
    ] as const) {
      const run = cohort(...args);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.code).toBeGreaterThan(0);
    }
  });
});
