import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { LONGITUDINAL_BATCH } from '../src/batches/longitudinal-batch.js';
import { previewBatch } from '../src/batches/preview-batch.js';
import { resolveBatch } from '../src/batches/resolve-batch.js';
import { openCatalog } from '../src/catalog/catalog.js';
import { findProject } from '../src/catalog/project-store.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { BIOBANK_HOME, BIOBANK_WORK, CLI, timeProcess, type ProcessFigure } from './biobank-index.js';
import { median, ms } from './measure.js';
import { tagOnce } from './biobank-queries.js';

/**
 * LONGITUDINAL_BATCH with the patterns the synthetic tree lacks (its series hold s000 and s001, its
 * studies end in _0 and _1) pointed at ones it has, so that every subject is ready, as in a real preview.
 */
export const BIOBANK_BATCH = JSON.parse(
  JSON.stringify(LONGITUDINAL_BATCH)
    .replaceAll('swi*/s004.nii', 'swi*/s001.nii')
    .replaceAll('t1_tra*/*.nii', 't1_mprage*/*.nii')
    .replaceAll('2020*_4', '2020*_1'),
) as typeof LONGITUDINAL_BATCH;

/** One in-process case: what, items ready, wall and CPU of each run, load before, heap after. */
export interface PreviewCase {
  readonly what: string;
  readonly call: string;
  readonly ready: number;
  readonly wallMs: number[];
  readonly cpuMs: number[];
  readonly load: number;
  readonly heapMb: number;
}

export interface PreviewFigures {
  readonly subjects: number;
  readonly cases: PreviewCase[];
  /** `cohort preview BATCH.json` (summary and the first 100 items) as a whole process, each run. */
  readonly cli: ProcessFigure[];
}

const RUNS = Number(process.env.BENCH_BIOBANK_PREVIEW_RUNS ?? 3);
const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;

function timeCase(what: string, call: string, run: () => number, runs: number): PreviewCase {
  const load = loadavg()[0] ?? 0;
  const wall: number[] = [];
  const cpu: number[] = [];
  let ready = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const before = process.cpuUsage();
    ready = run();
    wall.push(performance.now() - started);
    cpu.push(cpuMs(process.cpuUsage(before)));
  }
  const figure = {
    what,
    call,
    ready,
    wallMs: wall,
    cpuMs: cpu,
    load,
    heapMb: process.memoryUsage().heapUsed / 2 ** 20,
  };
  console.log(JSON.stringify(figure));
  return figure;
}

/**
 * The preview over every subject of the biobank catalog: `previewBatch` as the composer asks for it
 * (the first 1000 items in full, counts over all) and as `cohort preview` does (100), beside
 * `resolveBatch` (every item in full, what `cohort run` needs), alternated; then `cohort preview` as a
 * whole process under GNU time (peak RSS). The catalog is tagged as the query part tags it.
 */
export function runBiobankPreview(): PreviewFigures {
  const catalog = openCatalog(resolveConfig({ home: BIOBANK_HOME }, {}));
  const cases: PreviewCase[] = [];
  let subjects = 0;
  try {
    const db = catalog.db;
    const project = findProject(db, 'biobank');
    tagOnce(catalog, project.id);
    subjects = db.prepare('SELECT count(*) FROM subjects').pluck().get() as number;
    const page = (limit: number) => (): number =>
      previewBatch(db, project, BIOBANK_BATCH, 'all', { offset: 0, limit }).summary.ready;
    page(100)(); // warm-up: statements prepared, pages cached
    for (let round = 0; round < RUNS; round++) {
      cases.push(timeCase('composer page', 'previewBatch, 1000 items', page(1000), 1));
      cases.push(timeCase('cohort preview page', 'previewBatch, 100 items', page(100), 1));
      if (round === 0) {
        // Once: it takes minutes on a loaded machine.
        cases.push(
          timeCase(
            'every item in full',
            'resolveBatch',
            () => resolveBatch(db, project, BIOBANK_BATCH).summary.ready,
            1,
          ),
        );
      }
    }
  } finally {
    catalog.close();
  }
  const batchFile = join(BIOBANK_WORK, 'biobank-preview-batch.json');
  writeFileSync(batchFile, JSON.stringify(BIOBANK_BATCH));
  const env = { ...process.env, COHORT_HOME: BIOBANK_HOME };
  const cli: ProcessFigure[] = [];
  for (let i = 0; i < RUNS; i++) {
    cli.push(timeProcess([process.execPath, CLI, 'preview', batchFile], env));
    console.log(JSON.stringify({ cli: cli.at(-1) }));
  }
  return { subjects, cases, cli };
}

/** The preview part's markdown. */
export function biobankPreviewLines(f: PreviewFigures): string {
  const kinds = [...new Set(f.cases.map((c) => c.call))];
  const rows = kinds.map((call) => {
    const of = f.cases.filter((c) => c.call === call);
    const wall = of.flatMap((c) => c.wallMs);
    const cpu = of.flatMap((c) => c.cpuMs);
    const loads = of.map((c) => c.load.toFixed(1)).join(', ');
    return `| ${of[0]?.what ?? ''} | \`${call}\` | ${(of[0]?.ready ?? 0).toLocaleString('en')} | ${ms(median(wall))} | ${ms(Math.max(...wall))} | ${ms(median(cpu))} | ${loads} | under 10 s |`;
  });
  const c = f.cli;
  const cliRow = `| whole process | \`cohort preview BATCH.json\` | ${ms(median(c.map((r) => r.wallMs)))} | ${ms(Math.max(...c.map((r) => r.wallMs)))} | ${ms(median(c.map((r) => r.cpuMs)))} | ${Math.max(...c.map((r) => r.maxRssMb)).toFixed(0)} MB | ${c.map((r) => r.load.toFixed(1)).join(', ')} |`;
  return `Resolution preview over all ${f.subjects.toLocaleString('en')} subjects (5 jobs, 18 arguments per subject, named/offset/tagged/matching
references, an input written by an earlier job; \`LONGITUDINAL_BATCH\` fitted to the tree). \`previewBatch\`
resolves every item but keeps counts, the collision check and one page in full (the composer asks for
1000 items, \`cohort preview\` for 100); \`resolveBatch\` keeps every item in full, as \`cohort run\` needs.
In one process, alternated, ${f.cases.filter((x) => x.call === kinds[0]).length} runs after a warm-up (\`resolveBatch\` once):

| what | call | items ready | wall: median | wall: max | CPU: median | load before each | target |
|---|---|---:|---:|---:|---:|---|---|
${rows.join('\n')}

As a user runs it, a whole process (summary and the first 100 items printed), by GNU time:

| what | command | wall: median | wall: max | CPU: median | peak RSS | load before each |
|---|---|---:|---:|---:|---:|---|
${cliRow}`;
}
