import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './measure.js';
import { makeSyntheticTree, type TreeShape } from './synthetic-tree.js';

/** Issue 21's biobank: 100,000 subjects × 2 studies × 5 series × 2 files = 2,000,000 files. */
export const BIOBANK_SHAPE: TreeShape = {
  subjects: Number(process.env.BENCH_BIOBANK_SUBJECTS ?? 100_000),
  studiesPerSubject: 2,
  seriesPerStudy: 5,
  filesPerSeries: 2,
};
export const BIOBANK_WORK = fileURLToPath(new URL('./.work/', import.meta.url));
export const BIOBANK_ROOT = join(BIOBANK_WORK, 'biobank');
/** The catalog the last create left: the query, server and web parts run on it. */
export const BIOBANK_HOME = join(BIOBANK_WORK, 'biobank-home');
export const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** Wall, CPU (user + system) and peak RSS of one whole process, by GNU time; load average before it. */
export interface ProcessFigure {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssMb: number;
  readonly load: number;
}

/**
 * Runs argv under `/usr/bin/time` (as data, no shell text). Peak RSS is the largest resident set of
 * the process with its threads (the scan threads are threads, not children).
 */
export function timeProcess(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ProcessFigure {
  const load = loadavg()[0] ?? 0;
  const run = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', ...argv], {
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = run.stderr.split('\n').find((l) => l.startsWith('TIME ')) ?? '';
  if (run.status !== 0 || line === '')
    throw new Error(`${argv.join(' ')} failed: ${run.stderr.slice(-2000)}`);
  const [wall, user, system, rssKb] = line.slice(5).split(' ').map(Number) as [
    number,
    number,
    number,
    number,
  ];
  return { wallMs: wall * 1000, cpuMs: (user + system) * 1000, maxRssMb: rssKb / 1024, load };
}

const FIND = (root: string): string[] => ['bash', '-c', 'find "$1" | wc -l', 'find', root];

export interface IndexFigures {
  readonly files: number;
  readonly treeMs: number;
  readonly repeats: number;
  readonly find: ProcessFigure[];
  readonly create: ProcessFigure[];
  readonly rescan: ProcessFigure[];
}

/** Median of one field over runs. */
export const med = (runs: readonly ProcessFigure[], key: keyof ProcessFigure): number =>
  median(runs.map((r) => r[key]));

/**
 * `cohort create` into a fresh catalog and a no-change `cohort rescan`, each beside `find | wc -l`,
 * alternated (find, create, find, rescan), `repeats` times. The tree is made once and reused.
 */
export function runBiobankIndex(repeats: number): IndexFigures {
  const started = performance.now();
  const files = makeSyntheticTree(BIOBANK_ROOT, BIOBANK_SHAPE);
  const treeMs = performance.now() - started;
  timeProcess(FIND(BIOBANK_ROOT)); // the dentry cache warmed once for everybody
  const figures = {
    find: [] as ProcessFigure[],
    create: [] as ProcessFigure[],
    rescan: [] as ProcessFigure[],
  };
  const env = { ...process.env, COHORT_HOME: BIOBANK_HOME };
  for (let i = 0; i < repeats; i++) {
    rmSync(BIOBANK_HOME, { recursive: true, force: true });
    figures.find.push(timeProcess(FIND(BIOBANK_ROOT)));
    figures.create.push(timeProcess([process.execPath, CLI, 'create', 'biobank', BIOBANK_ROOT], env));
    figures.find.push(timeProcess(FIND(BIOBANK_ROOT)));
    figures.rescan.push(timeProcess([process.execPath, CLI, 'rescan'], env));
    console.log(JSON.stringify({ repeat: i, ...figures }));
  }
  return { files, treeMs, repeats, ...figures };
}
