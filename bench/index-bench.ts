import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { makeSyntheticTree } from './synthetic-tree.js';
import { machineLine, median, ms, ratio, timeCommand } from './measure.js';
import { writeSection } from './write-results.js';

/**
 * Issue 2 figures: full index and no-change rescan of 1000 subjects × 5 studies × 50 files, each as a
 * ratio to `find ROOT -type f | wc -l` on the same tree in the same run; peak RSS of indexing.
 * Runs interleave find and index so both meet the same page-cache state.
 */
const WORK = fileURLToPath(new URL('./.work/', import.meta.url));
const ROOT = join(WORK, 'tree-1000x5x50');
const CHILD = fileURLToPath(new URL('./index-child.mjs', import.meta.url));
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

interface ChildResult {
  ms: number;
  maxRssMB: number;
  counts: { filesAdded: number; filesUnchanged: number };
}

function find(): number {
  const run = timeCommand('bash', ['-c', 'find "$1" -type f | wc -l', 'find', ROOT]);
  return run.ms;
}

function index(home: string, mode: 'create' | 'rescan'): ChildResult {
  const run = timeCommand(process.execPath, [CHILD, home, ROOT, mode]);
  return JSON.parse(run.stdout) as ChildResult;
}

/** Runs the figures and returns the home of a catalog holding the indexed tree, for later benchmarks. */
export function runIndexBench(): string {
  const files = makeSyntheticTree(ROOT, {
    subjects: 1000,
    studiesPerSubject: 5,
    seriesPerStudy: 5,
    filesPerSeries: 10,
  });
  find(); // warm the dentry cache once for everybody
  const finds: number[] = [];
  const fulls: number[] = [];
  const rescans: number[] = [];
  let peak = 0;
  for (let i = 0; i < REPEATS; i++) {
    const home = join(WORK, `home-${i}`);
    rmSync(home, { recursive: true, force: true });
    finds.push(find());
    const full = index(home, 'create');
    if (full.counts.filesAdded !== files)
      throw new Error(`indexed ${full.counts.filesAdded} of ${files} files`);
    fulls.push(full.ms);
    finds.push(find());
    const rescan = index(home, 'rescan');
    if (rescan.counts.filesUnchanged !== files)
      throw new Error(`rescan saw ${rescan.counts.filesUnchanged} unchanged`);
    rescans.push(rescan.ms);
    peak = Math.max(peak, full.maxRssMB, rescan.maxRssMB);
    if (i < REPEATS - 1) rmSync(home, { recursive: true, force: true });
  }
  const f = median(finds);
  const rows = [
    `| \`find ROOT -type f \\| wc -l\` | ${ms(f)} | 1.00× | |`,
    `| full index (\`cohort create\`) | ${ms(median(fulls))} | ${ratio(median(fulls) / f)} | within 3× |`,
    `| no-change rescan (\`cohort rescan\`) | ${ms(median(rescans))} | ${ratio(median(rescans) / f)} | within 2× |`,
  ];
  const text = `## Indexing (issue 2)

Tree: ${files.toLocaleString('en')} files (1000 subjects × 5 studies × 5 series × 10 files), \`bench/index-bench.ts\`,
medians of ${REPEATS} interleaved runs, each index in a fresh process over the built \`dist/\`.
Machine: ${machineLine()}.

| what | median | ratio to find | target |
|---|---|---|---|
${rows.join('\n')}

Peak RSS while indexing: ${peak.toFixed(0)} MB (target: under 500 MB).`;
  console.log(text);
  writeSection('index', text);
  return join(WORK, `home-${REPEATS - 1}`);
}
