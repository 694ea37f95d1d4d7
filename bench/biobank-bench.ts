import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIOBANK_SHAPE, BIOBANK_WORK, med, runBiobankIndex, type IndexFigures } from './biobank-index.js';
import { biobankQueryLines, runBiobankQueries, type QueryFigures } from './biobank-queries.js';
import { biobankPreviewLines, runBiobankPreview, type PreviewFigures } from './biobank-preview.js';
import { biobankClusterLines, runBiobankCluster, type ClusterFigures } from './biobank-cluster.js';
import { biobankRunnerLine, runBiobankRunner, type RunnerFigures } from './biobank-runner.js';
import { biobankWebLine, runBiobankWeb, type WebFigures } from './biobank-web.js';
import { machineLine, ms, ratio } from './measure.js';
import { writeSection } from './write-results.js';

/**
 * Issue 21's scale figures (and issue 18's million-file ones) on a biobank-sized synthetic tree:
 * 100,000 subjects × 2 studies × 5 series × 2 files. One command re-measures everything:
 *
 *   npx tsx bench/biobank-bench.ts                      # all parts
 *   BENCH_BIOBANK_PARTS=query,server npx tsx bench/biobank-bench.ts   # some, on the catalog left before
 *
 * Parts: index (create and rescan beside `find | wc -l`, peak RSS), query (selectors; `select` is the
 * selector alone), preview (`previewBatch` beside `resolveBatch`, `cohort preview` as a process), server
 * (subjects API pages), web (filter keystroke in Chromium), slurm and sge (200,000 tasks into a cluster of
 * its own, see biobank-cluster.ts), runner and runner-sge (`cohort run` into such a Slurm or SGE,
 * biobank-runner.ts). Each
 * part's figures are kept in bench/.work/biobank-results.json, so a part run alone rewrites only its
 * rows; the section of docs/benchmarks.md is written from all of them.
 */
const RESULTS = join(BIOBANK_WORK, 'biobank-results.json');
const PARTS = (
  process.env.BENCH_BIOBANK_PARTS ?? 'index,query,preview,server,grid,web,slurm,sge,runner,runner-sge'
).split(',');
const REPEATS = Number(process.env.BENCH_BIOBANK_REPEATS ?? 2);

interface Results {
  machine?: string;
  index?: IndexFigures;
  query?: QueryFigures;
  preview?: PreviewFigures;
  web?: WebFigures;
  cluster?: Record<string, ClusterFigures>;
  runner?: RunnerFigures;
  runnerSge?: RunnerFigures;
}

function load(): Results {
  return existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as Results) : {};
}

/** Writes this run's parts over what the file holds now (another part may have run meanwhile). */
function save(parts: Results): void {
  mkdirSync(BIOBANK_WORK, { recursive: true });
  const now = load();
  const merged = { ...now, ...parts, cluster: { ...now.cluster, ...parts.cluster } };
  writeFileSync(RESULTS, JSON.stringify(merged, null, 1));
}

const mb = (value: number): string => `${value.toFixed(0)} MB`;
const loads = (runs: ReadonlyArray<{ load: number }>): string =>
  runs.map((r) => r.load.toFixed(1)).join(', ');

function indexLines(f: IndexFigures): string {
  const find = med(f.find, 'wallMs');
  const findCpu = med(f.find, 'cpuMs');
  const row = (what: string, runs: IndexFigures['create'], target: string): string =>
    `| ${what} | ${ms(med(runs, 'wallMs'))} (${ratio(med(runs, 'wallMs') / find)}) | ${ms(med(runs, 'cpuMs'))} (${ratio(med(runs, 'cpuMs') / findCpu)}) | ${mb(Math.max(...runs.map((r) => r.maxRssMb)))} | ${loads(runs)} | ${target} |`;
  return `Indexing ${f.files.toLocaleString('en')} files (the tree took ${(f.treeMs / 1000).toFixed(0)} s to write, or was
reused), ${f.repeats} alternated repeats (find, create into a fresh catalog, find, no-change rescan), medians;
wall and CPU (user + system) by GNU time, each ratio to \`find ROOT | wc -l\`; peak RSS of the whole process
(its scan threads included), the largest of the repeats:

| command | wall (ratio) | CPU (ratio) | peak RSS | load average before each | target |
|---|---|---|---|---|---|
| \`find ROOT \\| wc -l\` | ${ms(find)} | ${ms(findCpu)} | ${mb(Math.max(...f.find.map((r) => r.maxRssMb)))} | ${loads(f.find)} | |
${row('`cohort create`', f.create, 'within 3×, under 1 GB')}
${row('no-change `cohort rescan`', f.rescan, 'within 2×, under 1 GB')}`;
}

export async function runBiobankBench(): Promise<void> {
  const results: Results = { machine: machineLine() };
  if (PARTS.includes('index')) {
    results.index = runBiobankIndex(REPEATS);
    save(results);
  }
  if (['query', 'select', 'server', 'grid'].some((p) => PARTS.includes(p))) {
    results.query = await runBiobankQueries({ ...load().query }, PARTS);
    save(results);
  }
  if (PARTS.includes('preview')) {
    results.preview = runBiobankPreview();
    save(results);
  }
  if (PARTS.includes('web')) {
    results.web = await runBiobankWeb();
    save(results);
  }
  for (const kind of ['slurm', 'sge'] as const) {
    if (!PARTS.includes(kind)) continue;
    const figures = await runBiobankCluster(kind);
    console.log(JSON.stringify({ cluster: figures }));
    results.cluster = { ...results.cluster, [kind]: figures };
    save(results);
  }
  const subjects = Number(process.env.BENCH_BIOBANK_RUNNER_SUBJECTS ?? BIOBANK_SHAPE.subjects);
  if (PARTS.includes('runner')) {
    results.runner = await runBiobankRunner(subjects, 'slurm');
    save(results);
  }
  if (PARTS.includes('runner-sge')) {
    results.runnerSge = await runBiobankRunner(subjects, 'sge');
    save(results);
  }
  Object.assign(results, load());
  const s = BIOBANK_SHAPE;
  const text = `## Biobank scale (issues 21 and 18)

\`bench/biobank-bench.ts\` (one command; \`BENCH_BIOBANK_PARTS\` picks parts), whole processes where a user
waits for one. Tree: \`bench/synthetic-tree.ts\`, ${s.subjects.toLocaleString('en')} subjects × ${s.studiesPerSubject} studies × ${s.seriesPerStudy} series × ${s.filesPerSeries} files
(one-byte files, \`<subject>/<study>/<series>/sNNN.nii\`); the catalog is the one \`cohort create\` made of it.
Machine: ${results.machine}; each figure carries the load average (1 minute) taken just before it,
as other work may share the machine.

${results.index === undefined ? 'Indexing: not measured in this run.' : indexLines(results.index)}

${results.query === undefined ? '' : biobankQueryLines(results.query)}

${results.preview === undefined ? '' : biobankPreviewLines(results.preview)}

${results.web === undefined ? '' : biobankWebLine(results.web)}

${Object.values(results.cluster ?? {})
  .map((c) => biobankClusterLines(c))
  .join('\n\n')}

${results.runner === undefined ? '' : biobankRunnerLine(results.runner)}

${results.runnerSge === undefined ? '' : biobankRunnerLine(results.runnerSge)}`;
  console.log(text);
  writeSection('biobank', text);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1])
  await runBiobankBench();
