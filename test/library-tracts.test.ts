import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNifti1 } from '../src/demo/nifti1.js';
import { buildCommand } from '../src/jobs/build-command.js';
import { BUNDLED_LIBRARY_DIR, libraryJob, libraryJobDefinition, loadLibrary } from '../src/jobs/library.js';
import { HOSTILE_NAME, pwnedFiles, runTask, testData } from '../src/jobs/test-fixture.js';
import { mapTracts } from '../src/tracts/index.js';
import { CLI } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';

// The tractometry library jobs run as a task runs them: argv from the library JSON, the `cohort` CLI on
// PATH (the engine puts a shim there; here a script calling the built CLI), COHORT_STUDY set, over two
// subjects of dipy's bundles in folders whose names break shells. Their TSVs concatenate into one table.

describe('library jobs tracts/stats and tracts/profile', () => {
  it('write per-item TSV rows (subject, study, bundle, measure, node, value) that join into one cohort table', async () => {
    const root = tempDir();
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'cohort'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(join(bin, 'cohort'), 0o755);
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
});
