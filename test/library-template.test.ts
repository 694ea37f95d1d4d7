import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOSTILE_NAME, requireTools, testData } from '../src/jobs/test-fixture.js';
import { runCohort, runReport } from './helpers/cli-process.js';
import { analysisFiles, parseMatrix, pythonJson, tool } from './helpers/library-task.js';
import { tempDir } from './helpers/temp-dir.js';

// registration/population-template, a group-level library job, run by the built CLI over three
// studies on the local executor. The studies are Colin27 (mricron-data, at 4 mm to keep the test near a
// minute) moved in space by known shifts in the header only, in files whose names would break a
// command line built as text. population_template must find the shifts again (the differences of its
// per-input transforms) and its template must be the brain they share (each input brought through its
// transform correlates with it better than 0.99; left where it lies, 0.88 for the shifted ones).

const SHIFTS = [
  [0, 0, 0],
  [6, -4, 0],
  [-3, 5, 4],
] as const;

const correlations = `
import json, sys, nibabel as nb, numpy as np
template, images = json.load(sys.stdin)
t = np.asarray(nb.load(template).dataobj, dtype=float).ravel()
print(json.dumps([float(np.corrcoef(t, np.asarray(nb.load(p).dataobj, dtype=float).ravel())[0, 1]) for p in images]))
`;

function batch(): object {
  return {
    name: 'population template',
    level: 'study',
    jobs: [
      {
        name: 'Template',
        library: 'registration/population-template',
        level: 'group',
        args: [
          { type: 'FILE', name: 'f1', patterns: ['anat/T1w*.nii.gz'], ref: { kind: 'current' } },
          { type: 'OPTION', name: 'type', value: 'rigid', choices: ['rigid', 'rigid_affine'] },
          { type: 'NUMERIC', name: 'n1', value: 4 },
          {
            type: 'OUT',
            name: 'o1',
            path: 'population/template.nii.gz',
            ref: { kind: 'analysis', name: 'templates' },
            tags: ['population_template'],
          },
          {
            type: 'PATHOUT',
            name: 'p1',
            path: 'population/transforms',
            ref: { kind: 'analysis', name: 'templates' },
          },
        ],
      },
    ],
  };
}

describe('registration/population-template as a group-level job', () => {
  it('builds a template of three moved copies of Colin27 and finds their shifts', () => {
    requireTools('population_template', 'mrgrid', 'mrtransform');
    const dir = tempDir();
    const root = join(dir, 'project');
    const colin = join(dir, 'colin-4mm.nii.gz');
    tool('mrgrid', '-quiet', testData('templates', 'ch2.nii.gz'), 'regrid', '-voxel', '4', colin);
    const images = SHIFTS.map((shift, s) => {
      const folder = join(root, `P${s + 1}`, '20240101', 'anat');
      mkdirSync(folder, { recursive: true });
      const transform = join(dir, `shift${s}.txt`);
      writeFileSync(transform, `1 0 0 ${shift[0]}\n0 1 0 ${shift[1]}\n0 0 1 ${shift[2]}\n0 0 0 1\n`);
      const image = join(folder, `T1w ${HOSTILE_NAME}.nii.gz`);
      tool('mrtransform', '-quiet', colin, '-linear', transform, image);
      return image;
    });
    // MRtrix3 refuses to start without HOME; one thread keeps its results repeatable.
    const env = { COHORT_HOME: join(dir, 'home'), HOME: dir, MRTRIX_NTHREADS: '1' };
    expect(runCohort(['create', 'templates', root], env).code).toBe(0);
    const path = join(dir, 'template.json');
    writeFileSync(path, JSON.stringify(batch()));

    const run = runCohort(['run', path, '--json'], env, { timeout: 400_000 });
    const report = runReport<{ done: number; error: number }>(run.stdout);
    expect(report, runCohort(['grid', 'log', '1', '--stderr'], env).stdout).toMatchObject({
      done: 1,
      error: 0,
    });
    // Registered in the analysis folder, the template with its tag.
    const registered = analysisFiles(join(dir, 'home', 'cohort.db'));
    expect(registered.get('templates/population/template.nii.gz')).toEqual(['population_template']);
    expect(registered.has('templates/population/transforms/inputs.tsv')).toBe(true);

    const out = join(root, 'analysis', 'templates', 'population');
    const template = join(out, 'template.nii.gz');
    // On the grid asked for (4 mm), covering the head (Colin27 is 181 x 217 x 181 mm).
    const info = tool('mrinfo', template, '-size', '-spacing').trim().split('\n');
    expect(info[1]?.split(/\s+/).map(Number)).toEqual([4, 4, 4]);
    info[0]
      ?.split(/\s+/)
      .map(Number)
      .forEach((n) => expect(n * 4).toBeGreaterThan(170));

    // inputs.tsv: which input number is which study's file.
    const inputs = new Map(
      readFileSync(join(out, 'transforms', 'inputs.tsv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split('\t') as [string, string]),
    );
    expect([...inputs.values()].sort()).toEqual([...images].sort());
    const idOf = (image: string): string => [...inputs].find(([, file]) => file === image)?.[0] ?? '';
    const transforms = images.map((image) => join(out, 'transforms', 'linear', `${idOf(image)}.txt`));
    const shifts = transforms.map((t) => parseMatrix(readFileSync(t, 'utf8')).map((row) => row[3] ?? NaN));
    // Each input's transform to the template undoes its shift: differences within 1 mm (a quarter voxel;
    // 0.4 mm measured).
    for (let s = 1; s < SHIFTS.length; s++) {
      for (let axis = 0; axis < 3; axis++) {
        const found = (shifts[s]?.[axis] ?? NaN) - (shifts[0]?.[axis] ?? NaN);
        const expected = -((SHIFTS[s]?.[axis] ?? NaN) - (SHIFTS[0]?.[axis] ?? NaN));
        expect(Math.abs(found - expected)).toBeLessThan(1);
      }
    }
    const aligned = images.map((image, s) => {
      const moved = join(dir, `aligned${s}.nii.gz`);
      tool('mrtransform', '-quiet', image, '-linear', transforms[s] ?? '', '-template', template, moved);
      return moved;
    });
    const unaligned = images.map((image, s) => {
      const moved = join(dir, `unaligned${s}.nii.gz`);
      tool('mrtransform', '-quiet', image, '-template', template, moved);
      return moved;
    });
    const good = pythonJson(correlations, [template, aligned]) as number[];
    const bad = pythonJson(correlations, [template, unaligned]) as number[];
    for (let s = 0; s < SHIFTS.length; s++) {
      expect(good[s]).toBeGreaterThan(0.99);
      if (s > 0) expect(good[s]).toBeGreaterThan((bad[s] ?? 1) + 0.05);
    }
  }, 450_000);

  it('is refused per item: a group-level library job needs "level": "group"', () => {
    const dir = tempDir();
    const env = { COHORT_HOME: join(dir, 'home') };
    expect(runCohort(['demo', '--subjects', '2'], env).code).toBe(0);
    const perItem = batch() as { jobs: Record<string, unknown>[] };
    delete perItem.jobs[0]?.['level'];
    const path = join(dir, 'per-item.json');
    writeFileSync(path, JSON.stringify(perItem));
    const run = runCohort(['run', path], env);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(
      'Job \'Template\' uses the group-level library job \'registration/population-template\' without "level": "group"',
    );
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/);
  }, 120_000);
});
