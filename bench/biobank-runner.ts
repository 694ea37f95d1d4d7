import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startBenchCluster, type BenchCluster } from './biobank-clusters.js';
import { BIOBANK_WORK } from './biobank-index.js';
import { ms } from './measure.js';
import { makeSyntheticTree } from './synthetic-tree.js';

/**
 * The runner's own path: `cohort run` of a subject-level batch of 2 chained jobs of `true` over
 * SUBJECTS subjects into a Slurm or SGE queue of the bench's own cluster (nothing runs on it, see
 * biobank-clusters.ts). The catalog is made for it once and copied for each measurement: one study of
 * one file per subject (`cohort create` of a synthetic tree), not the 2,000,000-file one. Two
 * measurements per cluster:
 * - the whole command: the bench reads the catalog once a second, until every task is created and
 *   until every one is recorded queued (accepted by the scheduler); the runner's RSS (and its peak,
 *   /proc's VmHWM) and CPU then, and after WATCH_MS of watching; then the runner is stopped (SIGTERM:
 *   the tasks stay queued) and the cluster emptied;
 * - the same stages timed inside one process (biobank-submit-child.mjs): resolution apart from the
 *   runner's part (createRun, then the supervisor's submission), with heap and RSS after each.
 */
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const CHILD = fileURLToPath(new URL('./biobank-submit-child.mjs', import.meta.url));
const WATCH_MS = 20_000;

interface Stage {
  readonly name: string;
  readonly ms: number;
  readonly cpuMs: number;
  readonly heapMb: number;
  readonly rssMb: number;
  readonly peakMb: number;
}

export interface RunnerFigures {
  readonly kind?: 'slurm' | 'sge';
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
  /** The stages timed inside one process. */
  readonly stages?: readonly Stage[];
  readonly stagesLoad?: number;
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

/** Moves a folder aside at once and removes it in the background. */
function discard(dir: string): void {
  if (!existsSync(dir)) return;
  const trash = `${dir}.trash-${Date.now()}`;
  renameSync(dir, trash);
  spawn('rm', ['-rf', trash], { detached: true, stdio: 'ignore' }).unref();
}

/** Runs the part for one cluster kind; the cluster and the runs' folders are removed afterwards. */
export async function runBiobankRunner(
  subjects: number,
  kind: 'slurm' | 'sge' = 'slurm',
): Promise<RunnerFigures> {
  const dir = join(BIOBANK_WORK, `biobank-runner-${subjects}`);
  const root = join(dir, 'tree');
  const catalog = join(dir, 'catalog');
  const home = join(dir, 'home');
  makeSyntheticTree(root, { subjects, studiesPerSubject: 1, seriesPerStudy: 1, filesPerSeries: 1 });
  let catalogMs = 0;
  if (!existsSync(join(catalog, 'cohort.db'))) {
    mkdirSync(catalog, { recursive: true });
    const made = performance.now();
    execFileSync('node', [CLI, 'create', 'biobank', root, '--layout', 'folders'], {
      env: { ...process.env, COHORT_HOME: catalog },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    catalogMs = performance.now() - made;
    writeFileSync(join(catalog, 'created-ms'), String(catalogMs));
  } else catalogMs = Number(readFileSync(join(catalog, 'created-ms'), 'utf8'));
  const batch = join(dir, 'batch.json');
  writeFileSync(batch, JSON.stringify(BATCH));
  const cluster = startBenchCluster(kind, join(dir, `registry-${kind}`));
  cluster.clear(); // what an interrupted measurement left would fill the cluster's job limit
  const env = { ...process.env, ...cluster.env, COHORT_HOME: home };
  /** A fresh copy of the catalog with the cluster's queue. */
  const freshHome = (): void => {
    discard(home);
    cpSync(catalog, home, { recursive: true });
    execFileSync(
      'node',
      [CLI, 'queue', 'add', 'cluster', '--engine', kind, '--target', kind === 'slurm' ? 'debug' : 'all.q'],
      {
        env,
        stdio: 'ignore',
      },
    );
  };
  try {
    freshHome();
    const stagesLoad = loadavg()[0] ?? 0;
    const child = execFileSync('node', [CHILD, batch, 'cluster'], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const stages = (JSON.parse(child.trim().split('\n').at(-1) ?? '{}') as { stages: Stage[] }).stages;
    console.log(JSON.stringify({ kind, stages }));
    cluster.clear();
    freshHome();
    const whole = await wholeCommand(cluster, env, batch, subjects * 2);
    return { kind, subjects, catalogMs, ...whole, stages, stagesLoad };
  } finally {
    cluster.stop();
    discard(home);
  }
}

async function wholeCommand(
  cluster: BenchCluster,
  env: NodeJS.ProcessEnv,
  batch: string,
  tasks: number,
): Promise<Omit<RunnerFigures, 'subjects' | 'catalogMs' | 'kind'>> {
  const db = new Database(join(env.COHORT_HOME!, 'cohort.db'), { readonly: true });
  const count = (where: string): number =>
    db.prepare(`SELECT count(*) FROM tasks${where}`).pluck().get() as number;
  const load = loadavg()[0] ?? 0;
  const started = performance.now();
  // BENCH_RUNNER_NODE_ARGS: e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see where the runner's time goes.
  const nodeArgs = (process.env.BENCH_RUNNER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const runner: ChildProcess = spawn('node', [...nodeArgs, CLI, 'run', batch, '--queue', 'cluster'], {
    env,
    stdio: 'ignore',
  });
  try {
    const pid = runner.pid!;
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
    return {
      tasks,
      createdMs,
      queuedMs,
      cpuMs: atQueued.cpu,
      sbatch: cluster.submitted(),
      rssMb: { queued: atQueued.rss, watched: watched.rss, peak: watched.peak },
      load,
      date: new Date().toISOString().slice(0, 10),
    };
  } finally {
    db.close();
    if (runner.exitCode === null) {
      runner.kill('SIGTERM');
      await new Promise((resolve) => runner.once('exit', resolve));
    }
  }
}

/** The runner part's markdown, one paragraph and table per cluster. */
export function biobankRunnerLine(f: RunnerFigures): string {
  const name = f.kind === 'sge' ? 'SGE' : 'Slurm';
  const submit = f.kind === 'sge' ? 'qsub' : 'sbatch';
  const stage = (n: string): Stage | undefined => f.stages?.find((s) => s.name === n);
  const row = (what: string, s: Stage | undefined): string =>
    s === undefined
      ? ''
      : `| ${what} | ${ms(s.ms)} | ${ms(s.cpuMs)} | ${s.heapMb.toFixed(0)} MB | ${s.rssMb.toFixed(0)} MB | ${s.peakMb.toFixed(0)} MB |\n`;
  const split =
    f.stages === undefined
      ? ''
      : `\n\nThe same in one process, stage by stage (\`bench/biobank-submit-child.mjs\`: resolveBatch, createRun, a RunSupervisor's start, one poll; load average ${(f.stagesLoad ?? 0).toFixed(1)} before it); heap and RSS after each stage, peak RSS (VmHWM) so far:

| stage | wall | CPU | heap | RSS | peak RSS |
|---|---|---|---|---|---|
${row('resolution (`resolveBatch`, not the runner part)', stage('resolved'))}${row('tasks created (`createRun`: one transaction)', stage('created'))}${row(`submitted: accepted by ${name} (engine and executor)`, stage('submitted'))}${row('first poll of all 200,000', stage('polled'))}`;
  return `Through the runner into ${name}: \`cohort run\` of a subject-level batch of 2 chained jobs of \`true\` over ${f.subjects.toLocaleString('en')} subjects into a ${name} queue of the same kind of cluster (catalog: \`cohort create\` of one study of one file per subject, ${ms(f.catalogMs)}), ${f.date}, load average ${f.load.toFixed(1)} before it. All ${f.tasks.toLocaleString('en')} tasks created in SQLite after ${ms(f.createdMs)}, all recorded queued (accepted by ${name}, ${f.sbatch} ${submit} calls) after ${ms(f.queuedMs)} of the whole command (resolution included; the catalog read once a second), ${ms(f.cpuMs)} of the runner's CPU by then. The runner's memory: ${f.rssMb.queued.toFixed(0)} MB RSS when all were queued, ${f.rssMb.watched.toFixed(0)} MB after ${WATCH_MS / 1000} s of watching them, peak ${f.rssMb.peak.toFixed(0)} MB.${split}`;
}
