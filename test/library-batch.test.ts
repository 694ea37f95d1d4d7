import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireTools, testData } from '../src/jobs/test-fixture.js';
import { runCohort } from './helpers/cli-process.js';
import { parseMatrix, pythonJson, tool } from './helpers/library-task.js';
import { tempDir } from './helpers/temp-dir.js';

// examples/dwi-connectome-small.json, the library's diffusion chain (denoise and unring, tensor FA, FODs,
// tracking, FA registered to a project FA template, a parcellation brought into DWI space, connectome,
// FA per region), run by the built CLI over three subjects on the local executor and on Slurm. The
// subjects are dipy's small_64D DWI, the second and third moved in space (header only) so the
// registration has work.

const BATCH = join(import.meta.dirname, '..', 'examples', 'dwi-connectome-small.json');

function fixture(): { env: Record<string, string>; root: string } {
  const dir = tempDir();
  const root = join(dir, 'dwi-project');
  const shifts = ['0 0 0', '2 -2 0', '-2 0 2'];
  shifts.forEach((shift, s) => {
    const folder = join(root, `P${s + 1}`, '20240101', 'dwi');
    mkdirSync(folder, { recursive: true });
    const dwi = join(folder, 'dwi.nii');
    const transform = join(dir, `shift${s}.txt`);
    writeFileSync(
      transform,
      `1 0 0 ${shift.split(' ')[0]}\n0 1 0 ${shift.split(' ')[1]}\n0 0 1 ${shift.split(' ')[2]}\n0 0 0 1\n`,
    );
    tool('mrtransform', '-quiet', testData('nifti', 'small_64D.nii'), '-linear', transform, dwi);
    copyFileSync(testData('nifti', 'small_64D.bval'), join(folder, 'dwi.bval'));
    // dipy's .bvec: one direction per line, NaN for b=0; FSL's layout is three rows, MRtrix refuses NaN.
    const rows = parseMatrix(
      readFileSync(testData('nifti', 'small_64D.bvec'), 'utf8').replaceAll('nan', '0'),
    );
    writeFileSync(
      join(folder, 'dwi.bvec'),
      [0, 1, 2].map((a) => rows.map((r) => r[a]).join(' ')).join('\n') + '\n',
    );
  });
  // The project's FA template: the first subject's FA after the batch's own preprocessing (on a 2 cm
  // field of view mrregister's squared differences only converge between FA maps of the same data:
  // against the raw data's FA it slid 17 mm); its parcellation: the brain cut in 4 slabs along x.
  const templates = join(root, 'analysis', 'templates');
  const atlases = join(root, 'analysis', 'atlases');
  mkdirSync(templates, { recursive: true });
  mkdirSync(atlases, { recursive: true });
  const first = join(root, 'P1', '20240101', 'dwi');
  const grad = ['-fslgrad', join(first, 'dwi.bvec'), join(first, 'dwi.bval')];
  tool('dwidenoise', '-quiet', join(first, 'dwi.nii'), join(dir, 'denoised.mif'));
  tool('mrdegibbs', '-quiet', join(dir, 'denoised.mif'), join(dir, 'dwi.mif'), '-datatype', 'float32');
  tool('dwi2mask', '-quiet', join(dir, 'dwi.mif'), ...grad, join(dir, 'mask.mif'));
  tool(
    'dwi2tensor',
    '-quiet',
    join(dir, 'dwi.mif'),
    ...grad,
    '-mask',
    join(dir, 'mask.mif'),
    join(dir, 'dt.mif'),
  );
  const template = join(templates, 'fa_template.nii.gz');
  tool('tensor2metric', '-quiet', join(dir, 'dt.mif'), '-mask', join(dir, 'mask.mif'), '-fa', template);
  pythonJson(
    `
import json, sys, nibabel as nb, numpy as np
fa_path, out_path = json.load(sys.stdin)
fa = nb.load(fa_path)
inside = np.asarray(fa.dataobj) > 0
x = np.arange(inside.shape[0])[:, None, None] * np.ones(inside.shape)
nb.save(nb.Nifti1Image(np.where(inside, 1 + (x * 4 // inside.shape[0]), 0).astype(np.uint8), fa.affine), out_path)
print("null")
`,
    [template, join(atlases, 'atlas.nii.gz')],
  );
  writeFileSync(
    join(atlases, 'atlas.txt'),
    '1 left_lateral\n2 left_medial\n3 right_medial\n4 right_lateral\n',
  );
  // MRtrix3 refuses to start without HOME (it looks for ~/.mrtrix.conf).
  // One MRtrix thread: mrregister's multi-threaded sums made the recovered shift vary between runs
  // (0.45 to 0.63 mm seen on the same data); single-threaded, the check below is repeatable.
  const env = { COHORT_HOME: join(dir, 'home'), HOME: dir, MRTRIX_NTHREADS: '1' };
  const created = runCohort(['create', 'dwi', root], env);
  expect(created.code, created.stderr).toBe(0);
  return { env, root };
}

/** `cohort export` as a map `subject#study` -> key -> value. */
function exported(env: Record<string, string>): Map<string, Map<string, string>> {
  const out = runCohort(['export'], env);
  expect(out.code, out.stderr).toBe(0);
  const byStudy = new Map<string, Map<string, string>>();
  for (const [subject = '', study = '', key = '', value = ''] of out.stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'))) {
    const id = `${subject}#${study}`;
    byStudy.set(id, (byStudy.get(id) ?? new Map<string, string>()).set(key, value));
  }
  return byStudy;
}

/**
 * Region statistics and connectomes are recorded as measures (for `cohort export` and the plots page),
 * equal to the numbers of their TSV and CSV files.
 */
function expectRecordedMeasures(
  env: Record<string, string>,
  tables: readonly string[],
  connectomes: readonly string[],
): void {
  const measures = exported(env);
  for (const table of tables) {
    const rows = readFileSync(table, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t'));
    expect(rows).toHaveLength(4 * 5); // 4 parcels: voxels, volume, FA mean, median, sd
    for (const [subject, study, atlas, label, region, image, measure, value] of rows) {
      const key = [atlas, `${label ?? ''}_${region ?? ''}`, ...(image === '' ? [] : [image]), measure].join(
        '.',
      );
      const got = measures.get(`${subject ?? ''}#${study ?? ''}`)?.get(key);
      if (value === 'nan') expect(got).toBeUndefined();
      else expect(Number(got), key).toBe(Number(value));
    }
  }
  for (const count of connectomes) {
    const study = count.split('/').slice(-4, -2).join('#');
    const recorded = measures.get(study);
    const matrix = parseMatrix(readFileSync(count, 'utf8'));
    const lengths = parseMatrix(readFileSync(join(count, '..', 'mean_length.csv'), 'utf8'));
    let assigned = 0;
    matrix.forEach((row, i) =>
      row.forEach((n, j) => {
        if (j < i) return;
        assigned += n;
        const pair = `${i + 1}-${j + 1}`;
        expect(recorded?.get(`connectome.count.${pair}`), pair).toBe(n > 0 ? String(n) : undefined);
        if (n > 0) expect(Number(recorded?.get(`connectome.length.${pair}`))).toBe(lengths[i]?.[j]);
        if (n > 0) expect(recorded?.has(`connectome.fa.${pair}`)).toBe(true);
      }),
    );
    expect(Number(recorded?.get('connectome.assigned'))).toBe(assigned);
  }
}

/** The engines the batch runs on: this machine, and the loopback Slurm of scripts/cluster/slurm-up.sh. */
const ENGINES = ['local', 'slurm'] as const;

describe.each(ENGINES)('a DWI-to-connectome batch of library jobs on %s', { timeout: 600_000 }, (engine) => {
  it('runs over three subjects, registering every output with its tags', () => {
    requireTools('dwidenoise', 'mrdegibbs', 'dwi2fod', 'tckgen', 'mrregister', 'tck2connectome');
    if (engine === 'slurm') {
      execFileSync('bash', [join(import.meta.dirname, '..', 'scripts', 'cluster', 'slurm-up.sh')], {
        stdio: 'pipe',
      });
    }
    const { env } = fixture();
    const queue = engine === 'slurm' ? ['--queue', 'cluster'] : [];
    if (engine === 'slurm') {
      const added = runCohort(
        ['queue', 'add', 'cluster', '--engine', 'slurm', '--target', 'debug', '--time', '10'],
        env,
      );
      expect(added.code, added.stderr).toBe(0);
    }
    const preview = runCohort(['preview', BATCH, '--json'], env);
    expect(preview.code, preview.stderr).toBe(0);
    const summary = (JSON.parse(preview.stdout) as { summary: { total: number; ready: number } }).summary;
    expect(summary).toMatchObject({ total: 3, ready: 3 });

    const run = runCohort(['run', BATCH, ...queue, '--json'], env, { timeout: 540_000 });
    const all = (
      JSON.parse(runCohort(['grid', '--all', '--json'], env).stdout) as {
        tasks: { id: number; state: string; executor: string }[];
      }
    ).tasks;
    const logs = all
      .filter((task) => task.state === 'error')
      .map((task) => runCohort(['grid', 'log', String(task.id), '--stderr'], env).stdout);
    expect(run.code, logs.join('\n') + run.stderr).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as { done: number; error: number };
    expect(report).toMatchObject({ done: 3 * 8, error: 0 });
    expect(all.map((task) => task.executor)).toEqual(Array(24).fill(engine));

    const connectomes = runCohort(['select', 'tag:connectome', 'file:connectome/count.csv'], env)
      .stdout.trim()
      .split('\n');
    expect(connectomes).toHaveLength(3);
    for (const count of connectomes) {
      const matrix = parseMatrix(readFileSync(count, 'utf8'));
      expect(matrix).toHaveLength(4);
      const assigned = parseMatrix(readFileSync(join(count, '..', 'assignments.txt'), 'utf8')).filter(
        ([a = 0, b = 0]) => a > 0 && b > 0,
      );
      let total = 0;
      for (let i = 0; i < 4; i++) for (let j = i; j < 4; j++) total += matrix[i]?.[j] ?? 0;
      expect(total).toBe(assigned.length);
      expect(total).toBeGreaterThan(50);
    }
    // The FA registration found each subject's shift (the inverse of the header move).
    const transforms = runCohort(['select', 'tag:transform'], env).stdout.trim().split('\n');
    expect(transforms).toHaveLength(3);
    ['0 0 0', '-2 2 0', '2 0 -2'].forEach((expected, s) => {
      const matrix = parseMatrix(readFileSync(transforms[s] ?? '', 'utf8'));
      expected.split(' ').forEach((shift, axis) => {
        // A quarter of a 2 mm voxel.
        expect(Math.abs((matrix[axis]?.[3] ?? NaN) - Number(shift))).toBeLessThan(0.5);
      });
    });
    const tables = runCohort(['select', 'tag:region_stats'], env).stdout.trim().split('\n');
    expect(tables).toHaveLength(3);
    const rows = readFileSync(tables[1] ?? '', 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split('\t'));
    expect(rows[1]?.slice(0, 5)).toEqual(['P2', '20240101', 'parcels', '1', 'left_lateral']);
    expect(rows.filter((r) => r[6] === 'mean')).toHaveLength(4);
    expectRecordedMeasures(env, tables, connectomes);
  });
});
