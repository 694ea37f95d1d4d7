import { LONGITUDINAL_BATCH } from '../src/batches/longitudinal-batch.js';
import { resolveBatch } from '../src/batches/resolve-batch.js';
import { createLargeFixture } from '../src/selection/large-fixture.js';
import { machineLine, median, ms } from './measure.js';
import { writeSection } from './write-results.js';

const RUNS = 10;

/**
 * Issue 3 figures: the resolution preview of a realistic 5-job subject-level batch (LONGITUDINAL_BATCH:
 * named, offset, tagged and matching references, pattern unions, multiple matches, OUT/PATHOUT) over
 * 1,000 subjects of the synthetic 250,000-file catalog (in-memory SQLite, built by createLargeFixture).
 */
export function runPreviewBench(): void {
  const { db, project } = createLargeFixture();
  const cases: Array<[string, () => number]> = [
    [
      '5-job subject-level batch, all 1,000 subjects',
      () => resolveBatch(db, project, LONGITUDINAL_BATCH).summary.ready,
    ],
    [
      'the same, 500 subjects chosen by a selector (`ptag:control`)',
      () => resolveBatch(db, project, LONGITUDINAL_BATCH, { selector: 'ptag:control' }).summary.ready,
    ],
  ];
  const rows = cases.map(([what, run]) => {
    const ready = run();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      run();
      times.push(performance.now() - started);
    }
    const arguments_ = LONGITUDINAL_BATCH.jobs.reduce((n, job) => n + job.args.length, 0) * ready;
    return `| ${what} | ${ready.toLocaleString('en')} | ${arguments_.toLocaleString('en')} | ${ms(median(times))} | ${ms(Math.max(...times))} | under 1 s |`;
  });
  db.close();
  const text = `## Resolution preview (issue 3)

\`resolveBatch\` over the synthetic catalog of \`createLargeFixture\` (1,000 subjects, 5,000 studies, 250,000 files,
in-memory SQLite), \`bench/preview-bench.ts\`, median and maximum of ${RUNS} runs after one warm-up, including
validation, reference resolution and building the per-argument result objects. The batch has 5 jobs and 7 distinct
pattern sets: 9 SQL statements whatever the number of subjects.
Machine: ${machineLine()}.

| what | items ready | arguments resolved | median | max | target |
|---|---|---|---|---|---|
${rows.join('\n')}`;
  console.log(text);
  writeSection('preview', text);
}

if (process.argv[1]?.endsWith('preview-bench.ts') === true) runPreviewBench();
