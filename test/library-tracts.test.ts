import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNifti1 } from '../src/demo/nifti1.js';
import { buildCommand } from '../src/jobs/build-command.js';
import { BUNDLED_LIBRARY_DIR, libraryJob, libraryJobDefinition, loadLibrary } from '../src/jobs/library.js';
import { HOSTILE_NAME, pwnedFiles, requireTools, runTask, testData } from '../src/jobs/test-fixture.js';
import { mapTracts } from '../src/tracts/index.js';
import { CLI } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';

// The tractometry library jobs run as a task runs them: argv from the library JSON, the `cohort` CLI on
// PATH (the engine puts a shim there; here a script calling the built CLI), COHORT_STUDY set, over two
// subjects of dipy's bundles in folders whose names break shells. Their TSVs concatenate into one table.

/** Writes a `cohort` launcher for the built CLI into a new folder; returns the folder (for PATH). */
function cohortShim(root: string): string {
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'cohort'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(bin, 'cohort'), 0o755);
  return bin;
}

describe('library jobs tracts/stats and tracts/profile', () => {
  it('write per-item TSV rows (subject, study, bundle, measure, node, value) that join into one cohort table', async () => {
    const root = tempDir();
    const bin = cohortShim(root);
    const library = loadLibrary([BUNDLED_LIBRARY_DIR]);
    const grid = join(root, 'grid.nii');
    writeNifti1(grid, {
      dims: [90, 110, 90],
      pixdim: [2, 2, 2],
      datatype: 'int16',
      data: new Int16Array(90 * 110 * 90),
    });

    const tables: string[] = [];
    for (const subject of ['sub_1', 'sub_2']) {
      const study = join(root, `${subject} ${HOSTILE_NAME}`, 'ses 1');
      mkdirSync(study, { recursive: true });
      const bundle = join(study, 'AF_L.trk');
      copyFileSync(testData('tracts', 'bundles', subject, 'AF_L.trk'), bundle);
      // A scalar image per subject: the bundle's own density map (any real image on a grid will do).
      const scalar = join(study, `density ${HOSTILE_NAME}.nii.gz`);
      mapTracts(bundle, grid, scalar, { kind: 'visit' });
      const env = { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, COHORT_STUDY: `${subject}#ses 1` };
      for (const [id, values] of [
        ['tracts/stats', { f1: [bundle], f2: [scalar], o1: join(study, 'tractometry', 'stats.tsv') }],
        [
          'tracts/profile',
          { f1: [bundle], f2: [scalar], n1: 20, o1: join(study, 'tractometry', 'profile.tsv') },
        ],
      ] as const) {
        const work = join(study, `work ${id.replace('/', '-')}`);
        const command = buildCommand(libraryJobDefinition(libraryJob(id, library)), values, work, {
          library,
        });
        const result = await runTask(command, work, env);
        expect(result.code, result.stderr).toBe(0);
        tables.push(readFileSync(values.o1, 'utf8'));
      }
    }
    expect(pwnedFiles(root)).toEqual([]);
    const header = 'subject\tstudy\tbundle\tmeasure\tnode\tvalue';
    expect(tables.every((t) => t.startsWith(`${header}\n`))).toBe(true);
    const rows = tables.flatMap((t) => t.trim().split('\n').slice(1)).map((line) => line.split('\t'));
    // Per subject: 7 statistics rows (count, 5 length measures, the scalar mean) and 20 profile rows.
    expect(rows).toHaveLength(2 * (7 + 20));
    const count = rows.find((r) => r[0] === 'sub_2' && r[3] === 'count');
    expect(count?.slice(1, 3)).toEqual(['ses 1', 'AF_L']);
    expect(Number(count?.[5])).toBeGreaterThan(0);
    const profile = rows.filter((r) => r[0] === 'sub_1' && r[3] === `density ${HOSTILE_NAME}`);
    expect(profile.map((r) => r[4])).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(profile.every((r) => Number(r[5]) >= 1)).toBe(true);
  });

  it('run end to end from real DWI: tracts/tensor-tracking, then tracts/stats on its tracks and FA', async () => {
    requireTools('dwi2tensor', 'tensor2metric', 'mrthreshold', 'tckgen');
    const root = tempDir();
    const env = {
      PATH: `${cohortShim(root)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      COHORT_STUDY: 'P01#baseline',
    };
    const library = loadLibrary([BUNDLED_LIBRARY_DIR]);
    const study = join(root, `study ${HOSTILE_NAME}`);
    mkdirSync(study);
    const input = (name: string): string => {
      const target = join(study, `${HOSTILE_NAME} ${name}`);
      copyFileSync(testData('nifti', name), target);
      return target;
    };
    const [dwi, bvec, bval] = [
      input('small_101D.nii.gz'),
      input('small_101D.bvec'),
      input('small_101D.bval'),
    ];
    const tracks = join(study, 'tractography', `tracks ${HOSTILE_NAME}.tck`);
    const fa = join(study, 'tractography', 'fa.nii.gz');
    const tsv = join(study, 'tractometry', 'stats.tsv');
    for (const [id, values] of [
      ['tracts/tensor-tracking', { f1: [dwi], f2: [bvec], f3: [bval], o1: tracks, o2: fa, n1: 300, n2: 0.1 }],
      ['tracts/stats', { f1: [tracks], f2: [fa], o1: tsv }],
    ] as const) {
      const work = join(study, `work ${id.replace(/\//g, '-')}`);
      const command = buildCommand(libraryJobDefinition(libraryJob(id, library)), values, work, { library });
      const result = await runTask(command, work, env);
      expect(result.code, result.stderr).toBe(0);
    }
    expect(pwnedFiles(root)).toEqual([]);
    const rows = new Map(
      readFileSync(tsv, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split('\t'))
        .map((r) => [r[3], r]),
    );
    expect(rows.get('count')?.slice(0, 3)).toEqual(['P01', 'baseline', `tracks ${HOSTILE_NAME}`]);
    expect(rows.get('count')?.[5]).toBe('300');
    expect(Number(rows.get('length_mean')?.[5])).toBeGreaterThan(2);
    // Tracking stops below FA 0.1, so the mean FA along the tracks lies above it.
    const meanFa = Number(rows.get('fa_mean')?.[5]);
    expect(meanFa).toBeGreaterThan(0.1);
    expect(meanFa).toBeLessThan(1);
  });
});
