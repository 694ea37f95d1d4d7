import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOSTILE_NAME, requireTools, testData } from '../src/jobs/test-fixture.js';
import { runCohort, runReport } from './helpers/cli-process.js';
import { analysisFiles, tool } from './helpers/library-task.js';
import { tempDir } from './helpers/temp-dir.js';

// examples/tractometry-cohort.json through the built CLI on the local executor: per study tracts/stats
// and tracts/profile of dipy's AF_L bundle (three real subjects), then the group-level
// tracts/cohort-table gathering them into one table in ANALYSIS#tractometry and recording every value
// as a measure. The numbers are checked against MRtrix3's tckstats on the same bundles (converted to
// TCK; MRtrix 3.0.3 reads no TRK) and against `cohort tracts stats` / `profile` run per study by hand.

const BATCH = join(import.meta.dirname, '..', 'examples', 'tractometry-cohort.json');
const SUBJECTS = ['sub_1', 'sub_2', 'sub_3'];
const NODES = 20;

type Row = [string, string, string, string, string, string];

function tsvRows(text: string): Row[] {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t') as Row);
}

function fixture(): { env: Record<string, string>; root: string; dir: string } {
  const dir = tempDir();
  const root = join(dir, 'tracts project');
  // A real image in the bundles' (MNI) space stands in for FA: Colin27 at 2 mm.
  const scalar = join(dir, 'colin-2mm.nii.gz');
  tool('mrgrid', '-quiet', testData('templates', 'ch2.nii.gz'), 'regrid', '-voxel', '2', scalar);
  SUBJECTS.forEach((subject) => {
    const study = join(root, `${subject} ${HOSTILE_NAME}`, '20240101');
    mkdirSync(join(study, 'tracts'), { recursive: true });
    mkdirSync(join(study, 'dti'), { recursive: true });
    copyFileSync(testData('tracts', 'bundles', subject, 'AF_L.trk'), join(study, 'tracts', 'AF_L.trk'));
    copyFileSync(scalar, join(study, 'dti', 'fa.nii.gz'));
  });
  const env = { COHORT_HOME: join(dir, 'home'), HOME: dir };
  const created = runCohort(['create', 'tracts', root], env);
  expect(created.code, created.stderr).toBe(0);
  return { env, root, dir };
}

describe('tracts/cohort-table over a cohort', () => {
  it('gathers every study’s statistics and profile into one table, recorded as measures, equal to tckstats', () => {
    requireTools('tckstats');
    const { env, root, dir } = fixture();
    const batch = JSON.parse(readFileSync(BATCH, 'utf8')) as {
      jobs: { args: { name: string; value?: unknown }[] }[];
    };
    const nodes = batch.jobs[1]?.args.find((a) => a.name === 'n1');
    if (nodes !== undefined) nodes.value = NODES;
    const path = join(dir, 'tractometry.json');
    writeFileSync(path, JSON.stringify(batch));

    const run = runCohort(['run', path, '--json'], env, { timeout: 300_000 });
    const report = runReport<{ done: number; error: number }>(run.stdout);
    expect(report, run.stderr).toMatchObject({ done: 3 * 2 + 1, error: 0 });

    const table = join(root, 'analysis', 'tractometry', 'cohort_tracts.tsv');
    expect(analysisFiles(join(dir, 'home', 'cohort.db')).get('tractometry/cohort_tracts.tsv')).toEqual([
      'tract_table',
    ]);
    const text = readFileSync(table, 'utf8');
    expect(text.startsWith('subject\tstudy\tbundle\tmeasure\tnode\tvalue\n')).toBe(true);
    const rows = tsvRows(text);
    // Per study: count, 5 length measures, fa_mean, and NODES profile rows.
    expect(rows).toHaveLength(SUBJECTS.length * (7 + NODES));
    // JSON: the hostile subject names would be quoted in the TSV.
    const exported = runCohort(['export', '--format', 'json'], env);
    expect(exported.code, exported.stderr).toBe(0);
    const measures = new Map(
      (
        JSON.parse(exported.stdout) as {
          subjects: { subject: string; studies: { study: string; measures: Record<string, number> }[] }[];
        }
      ).subjects.flatMap((subject) =>
        subject.studies.map((study) => [`${subject.subject}#${study.study}`, study.measures] as const),
      ),
    );

    for (const subject of SUBJECTS) {
      const pid = `${subject} ${HOSTILE_NAME}`;
      const study = join(root, pid, '20240101');
      const mine = rows.filter((r) => r[0] === pid);
      expect(mine.every((r) => r[1] === '20240101' && r[2] === 'AF_L')).toBe(true);
      const value = (measure: string, node = ''): number =>
        Number(mine.find((r) => r[3] === measure && r[4] === node)?.[5]);

      // Against MRtrix3: tckstats' count exactly, its lengths (printed to 6 digits) to 1e-5 relative.
      const tck = join(dir, `${subject}.tck`);
      expect(runCohort(['tracts', 'convert', join(study, 'tracts', 'AF_L.trk'), tck], env).code).toBe(0);
      const [count, mean, median, std, min, max] = tool(
        'tckstats',
        '-quiet',
        tck,
        ...['count', 'mean', 'median', 'std', 'min', 'max'].flatMap((f) => ['-output', f]),
      )
        .trim()
        .split(/\s+/)
        .map(Number);
      expect(value('count')).toBe(count);
      for (const [measure, expected] of [
        ['length_mean', mean],
        ['length_median', median],
        ['length_std', std],
        ['length_min', min],
        ['length_max', max],
      ] as const) {
        expect(Math.abs(value(measure) - (expected ?? NaN)) / (expected ?? NaN), measure).toBeLessThan(1e-5);
      }
      // Against the per-study CLI: the same numbers, bit for bit (the table only gathers them).
      const stats = JSON.parse(
        runCohort(
          ['tracts', 'stats', join(study, 'tracts', 'AF_L.trk'), join(study, 'dti', 'fa.nii.gz'), '--json'],
          env,
        ).stdout,
      ) as { scalars?: { mean: number }[]; scalar?: { mean: number } };
      const faMean = stats.scalars?.[0]?.mean ?? stats.scalar?.mean;
      expect(value('fa_mean')).toBe(faMean);
      const profile = JSON.parse(
        runCohort(
          [
            'tracts',
            'profile',
            join(study, 'tracts', 'AF_L.trk'),
            join(study, 'dti', 'fa.nii.gz'),
            '--nodes',
            String(NODES),
            '--json',
          ],
          env,
        ).stdout,
      ) as { values: number[] };
      expect(Array.from({ length: NODES }, (_, n) => value('fa', String(n)))).toEqual(profile.values);

      // Recorded as measures of the study, equal to the table.
      for (const [, , , measure, node, cell] of mine) {
        const key = ['tract', 'AF_L', measure, ...(node === '' ? [] : [node])].join('.');
        expect(measures.get(`${pid}#20240101`)?.[key], key).toBe(Number(cell));
      }
    }
  }, 400_000);

  it('refuses two tables giving one study the same bundle, naming both files', () => {
    const { env, root, dir } = fixture();
    const study = join(root, `sub_1 ${HOSTILE_NAME}`, '20240101', 'tractometry');
    mkdirSync(study);
    const row = `subject\tstudy\tbundle\tmeasure\tnode\tvalue\nsub_1\t20240101\tAF_L\tcount\t\t10\n`;
    writeFileSync(join(study, 'AF_L_a.tsv'), row);
    writeFileSync(join(study, 'AF_L_b.tsv'), row);
    expect(runCohort(['rescan'], env).code).toBe(0);
    const batch = JSON.parse(readFileSync(BATCH, 'utf8')) as { jobs: unknown[] };
    const path = join(dir, 'table-only.json');
    writeFileSync(path, JSON.stringify({ ...batch, jobs: batch.jobs.slice(2) }));
    const run = runCohort(['run', path, `sub_1*`], env, { timeout: 120_000 });
    expect(run.code).not.toBe(0);
    const log = runCohort(['grid', 'log', '1', '--stderr'], env).stdout;
    expect(log).toMatch(/sub_1#20240101 has AF_L count in both .*AF_L_a\.tsv and .*AF_L_b\.tsv/);
    expect(log).not.toContain('Traceback');
  }, 120_000);
});
