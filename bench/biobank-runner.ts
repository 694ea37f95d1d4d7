import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startBenchCluster } from './biobank-clusters.js';
import { BIOBANK_WORK } from './biobank-index.js';
import { ms } from './measure.js';
import { makeSyntheticTree } from './synthetic-tree.js';

/**
 * The runner's own path: `cohort run` of a subject-level batch of 2 chained jobs of `true` over
 * SUBJECTS subjects into a Slurm queue of the bench's own cluster (nothing runs on it, see
 * biobank-clusters.ts): the tasks created in SQLite with their folders and scripts, submitted, then
 * watched. The catalog is made for it: one study of one file per subject (`cohort create` of a
 * synthetic tree), not the 2,000,000-file one. The bench reads the catalog once a second: when every
 * task is created, and when every one is recorded queued (accepted by Slurm); the runner's RSS (and
 * its peak, /proc's VmHWM) and CPU then, and after WATCH_MS of watching; then the runner is stopped
 * (SIGTERM: the tasks stay queued) and the cluster with it.
 */
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const WATCH_MS = 20_000;

export interface RunnerFigures {
  readonly subjects: number;
  readonly tasks: number;
  readonly createdMs: number;
  readonly queuedMs: number;
  readonly cpuMs: number;
  readonly sbatch: number;
  readonly rssMb: { readonly queued: number; readonly watched: number; readonly peak: number };
  readonly catalogMs: number;
  readonly load: number;
  readonly date: string;
}

const BATCH = {
  name: 'biobank-true',
  level: 'subject',
  jobs: [0, 1].map((k) => ({
    name: `step${k}`,
    language: 'bash',
    script: 'true',
    args: [{ type: 'FILE', name: 'f1', patterns: ['*/s000.nii'], ref: { kind: 'latest' } }],
  })),
};

/** VmRSS and VmHWM (MB), and user + system CPU (ms) of a process. */
function usage(pid: number): { rss: number; peak: number; cpu: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024, cpu: (ticks * 1000) / 100 };
}

/** Runs the part; the cluster and the run's folders are removed afterwards, the tree is kept. */
export async function runBiobankRunner(subjects: number): Promise<RunnerFigures> {
  const dir = join(BIOBANK_WORK, `biobank-runner-${subjects}`);
  const root = join(dir, 'tree');
  const home = join(dir, 'home');
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  makeSyntheticTree(root, { subjects, studiesPerSubject: 1, seriesPerStudy: 1, filesPerSeries: 1 });
  const cluster = startBenchCluster('slurm', join(dir, 'registry'));
  const env = { ...process.env, ...cluster.env, COHORT_HOME: home };
  const cohort = (...args: string[]): string =>
    execFileSync('node', [CLI, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  let runner: ChildProcess | undefined;
  try {
    const made = performance.now();
    cohort('create', 'biobank', root, '--layout', 'folders');
    const catalogMs = performance.now() - made;
    cohort('queue', 'add', 'cluster', '--engine', 'slurm', '--target', 'debug');
    const batch = join(dir, 'batch.json');
    writeFileSync(batch, JSON.stringify(BATCH));
    const db = new Database(join(home, 'cohort.db'), { readonly: true });
    const count = (where: string): number =>
      db.prepare(`SELECT count(*) FROM tasks${where}`).pluck().get() as number;
    const load = loadavg()[0] ?? 0;
    const started = performance.now();
    // BENCH_RUNNER_NODE_ARGS: e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see where the runner's time goes.
    const nodeArgs = (process.env.BENCH_RUNNER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    runner = spawn('node', [...nodeArgs, CLI, 'run', batch, '--queue', 'cluster'], { env, stdio: 'ignore' });
    const pid = runner.pid!;
    const tasks = subjects * 2;
    let createdMs = 0;
    for (;;) {
      await sleep(1000);
      if (runner.exitCode !== null) throw new Error(`cohort run ended early (${runner.exitCode})`);
      if (createdMs === 0 && count('') === tasks) createdMs = performance.now() - started;
      if (count(" WHERE state = 'queued'") === tasks) break;
    }
    const queuedMs = performance.now() - started;
    const atQueued = usage(pid);
    await sleep(WATCH_MS);
    const watched = usage(pid);
    db.close();
    const sbatch = execFileSync('squeue', ['--noheader', '--format=%i'], { env, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean).length;
    return {
      subjects,
      tasks,
      createdMs,
      queuedMs,
      cpuMs: atQueued.cpu,
      sbatch,
      rssMb: { queued: atQueued.rss, watched: watched.rss, peak: watched.peak },
      catalogMs,
      load,
      date: new Date().toISOString().slice(0, 10),
    };
  } finally {
    if (runner?.exitCode === null) {
      runner.kill('SIGTERM');
      await new Promise((resolve) => runner!.once('exit', resolve));
    }
    cluster.stop();
    const trash = `${home}.trash-${Date.now()}`;
    renameSync(home, trash);
    spawn('rm', ['-rf', trash], { detached: true, stdio: 'ignore' }).unref();
  }
}

/** The runner part's markdown. */
export function biobankRunnerLine(f: RunnerFigures): string {
  return `Through the runner: \`cohort run\` of a subject-level batch of 2 chained jobs of \`true\` over ${f.subjects.toLocaleString('en')} subjects into a Slurm queue of the same kind of cluster (catalog: \`cohort create\` of one study of one file per subject, ${ms(f.catalogMs)}), ${f.date}, load average ${f.load.toFixed(1)} before it. All ${f.tasks.toLocaleString('en')} tasks created in SQLite (with their folders and scripts) after ${ms(f.createdMs)}, all recorded queued (accepted by Slurm, ${f.sbatch} arrays) after ${ms(f.queuedMs)} (the catalog read once a second), ${ms(f.cpuMs)} of the runner's CPU by then. The runner's memory: ${f.rssMb.queued.toFixed(0)} MB RSS when all were queued, ${f.rssMb.watched.toFixed(0)} MB after ${WATCH_MS / 1000} s of watching them, peak ${f.rssMb.peak.toFixed(0)} MB.`;
}
