import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { TaskSpec } from '../src/executors/executor.js';
import { SlurmExecutor } from '../src/executors/slurm/slurm-executor.js';
import { BIOBANK_SHAPE, BIOBANK_WORK } from './biobank-index.js';
import { ms } from './measure.js';

/**
 * 200,000 tasks (100,000 subjects × 2 chained jobs of `true`) into a Slurm cluster of the bench's
 * own (scripts/cluster/slurm-up.sh with COHORT_SLURM_DIR/COHORT_SLURM_PORT: never the shared one at
 * /var/tmp/cohort-slurm, which other test suites use), as the engine hands them to SlurmExecutor in one
 * submit call (the job as arrayKey, the second job `aftercorr` on the first). Measured: time until all
 * are accepted and the sbatch calls; then POLLS polls of all ids (scheduler commands and time of each);
 * the process's memory (RSS) after each stage. Then everything is cancelled and the cluster stopped.
 */
const UP = fileURLToPath(new URL('../scripts/cluster/slurm-up.sh', import.meta.url));
const DOWN = fileURLToPath(new URL('../scripts/cluster/slurm-down.sh', import.meta.url));
const STATE = process.env.BENCH_SLURM_DIR ?? '/var/tmp/cohort-bench-biobank-slurm';
const PORT = process.env.BENCH_SLURM_PORT ?? '6937';
const JOBS = 2;
const MAX_JOB_COUNT = 400_000;
const POLLS = Number(process.env.BENCH_BIOBANK_POLLS ?? 5);
const POLL_GAP_MS = 2000;

export interface ClusterFigures {
  readonly kind: string;
  readonly tasks: number;
  readonly maxArray: number;
  readonly acceptedMs: number;
  readonly submitCommands: number;
  readonly pollCommands: number[];
  readonly pollMs: number[];
  readonly rssMb: {
    readonly before: number;
    readonly submitted: number;
    readonly polled: number;
    readonly peak: number;
  };
  readonly load: number;
}

const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;

/** The engine's shape of the work: one spec per task, the job as arrayKey, the chain element-wise. */
function specs(dir: string, subjects: number): TaskSpec[] {
  const tasks: TaskSpec[] = [];
  for (let s = 0; s < subjects; s++) {
    for (let k = 0; k < JOBS; k++) {
      const logDir = join(dir, `S${s}`, `job${k}`);
      tasks.push({
        taskId: `bb-S${s}-j${k}`,
        argv: ['true'],
        env: { PATH: '/usr/bin:/bin' },
        cwd: dir,
        logDir,
        resources: {},
        after: k === 0 ? [] : [{ id: `bb-S${s}-j${k - 1}`, kind: 'ok' }],
        arrayKey: `job${k}`,
      });
    }
  }
  return tasks;
}

/**
 * The test cluster's MaxJobCount is 200,000, and Slurm counts array tasks against it: with 200,000
 * tasks the last arrays were refused ("Resource temporarily unavailable") after 195 of 200 had been
 * accepted. This cluster is the bench's own, so its controller is restarted with room for the run
 * (what a submission beyond MaxJobCount should do is issue 21's item 4, not measured here).
 */
function raiseMaxJobCount(env: NodeJS.ProcessEnv, conf: string): void {
  const text = readFileSync(conf, 'utf8');
  if (!/^MaxJobCount=\d+$/m.test(text)) throw new Error(`no MaxJobCount line in ${conf}`);
  execFileSync('bash', [DOWN, '--keep-munge'], { stdio: 'inherit', env });
  writeFileSync(conf, text.replace(/^MaxJobCount=\d+$/m, `MaxJobCount=${MAX_JOB_COUNT}`));
  const node = /^NodeName=(\S+)/m.exec(text)?.[1] ?? 'localhost';
  execFileSync('slurmctld', ['-f', conf], { stdio: 'inherit', env });
  execFileSync('slurmd', ['-f', conf, '-N', node], { stdio: 'inherit', env });
  for (let i = 0; i < 100; i++) {
    const out = execFileSync('sinfo', ['-h', '-o', '%T'], {
      env: { ...env, SLURM_CONF: conf },
      encoding: 'utf8',
    });
    if (/idle/.test(out)) return;
    execFileSync('sleep', ['0.5']);
  }
  throw new Error('the bench cluster did not come back after raising MaxJobCount');
}

/** Submits, polls, reports; the cluster is the bench's own and is emptied and stopped afterwards. */
export async function runBiobankCluster(kind: 'slurm' | 'sge'): Promise<ClusterFigures> {
  if (kind === 'sge')
    throw new Error(
      'sge: scripts/cluster/sge-up.sh cannot start a second cluster yet (one cell, fixed ports)',
    );
  const env = { ...process.env, COHORT_SLURM_DIR: STATE, COHORT_SLURM_PORT: PORT };
  const slurmEnv = { SLURM_CONF: join(STATE, 'slurm.conf') };
  execFileSync('bash', [UP], { stdio: 'inherit', env });
  raiseMaxJobCount(env, slurmEnv.SLURM_CONF);
  const dir = join(BIOBANK_WORK, 'biobank-slurm');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const subjects = BIOBANK_SHAPE.subjects;
  try {
    const before = rssMb();
    const executor = new SlurmExecutor({ env: slurmEnv, stateDir: join(dir, 'state') });
    const tasks = specs(dir, subjects);
    const load = loadavg()[0] ?? 0;
    const started = performance.now();
    const ids = await executor.submit(tasks);
    const acceptedMs = performance.now() - started;
    const submitCommands = executor.commands.count;
    const submitted = rssMb();
    console.log(JSON.stringify({ acceptedMs, submitCommands, submitted }));
    const pollCommands: number[] = [];
    const pollMs: number[] = [];
    for (let i = 0; i < POLLS; i++) {
      const count = executor.commands.count;
      const t = performance.now();
      await executor.status(ids);
      pollMs.push(performance.now() - t);
      pollCommands.push(executor.commands.count - count);
      await sleep(POLL_GAP_MS);
    }
    const polled = rssMb();
    const peak = process.resourceUsage().maxRSS / 1024;
    return {
      kind,
      tasks: tasks.length,
      maxArray: 1000,
      acceptedMs,
      submitCommands,
      pollCommands,
      pollMs,
      rssMb: { before, submitted, polled, peak },
      load,
    };
  } finally {
    // Everything of this cluster goes: it is the bench's own.
    execFileSync('scancel', ['--user', 'root'], { env: { ...process.env, ...slurmEnv } });
    execFileSync('bash', [DOWN], { stdio: 'inherit', env });
    // 200,000 task folders took a quarter of an hour to remove on the loaded machine: renamed away at
    // once (a rerun starts clean) and removed in the background.
    const trash = `${dir}.trash-${Date.now()}`;
    renameSync(dir, trash);
    spawn('rm', ['-rf', trash], { detached: true, stdio: 'ignore' }).unref();
  }
}

/** The cluster part's markdown. */
export function biobankClusterLines(f: ClusterFigures): string {
  const mean = f.pollMs.reduce((a, b) => a + b, 0) / f.pollMs.length;
  return `${f.tasks.toLocaleString('en')} tasks (${(f.tasks / JOBS).toLocaleString('en')} subjects × ${JOBS} chained jobs of \`true\`) into a single-node loopback ${f.kind === 'slurm' ? 'Slurm 22.05' : 'SGE'}
of the bench's own (\`scripts/cluster/slurm-up.sh\` with its own COHORT_SLURM_DIR and port, MaxJobCount raised to
${MAX_JOB_COUNT.toLocaleString('en')}: at the script's 200,000 Slurm refused the last arrays, as it counts array tasks), through
SlurmExecutor in one submit call as the engine makes it (arrays by job of at most ${f.maxArray} elements, the product's
default; the second job \`aftercorr\` on the first). Load average ${f.load.toFixed(1)} before the submission.

| what | result | target |
|---|---|---|
| all ${f.tasks.toLocaleString('en')} accepted (wrappers written, every sbatch returned) | ${ms(f.acceptedMs)}, ${f.submitCommands} sbatch calls | under 60 s |
| a status poll of all ${f.tasks.toLocaleString('en')} ids (${f.pollMs.length} polls, ${POLL_GAP_MS / 1000} s apart) | ${Math.max(...f.pollCommands)} scheduler command${Math.max(...f.pollCommands) === 1 ? '' : 's'} per poll at most; ${ms(mean)} each on average, at most ${ms(Math.max(...f.pollMs))} | one command per poll |
| the submitting process's memory (RSS) | ${f.rssMb.before.toFixed(0)} MB before, ${f.rssMb.submitted.toFixed(0)} MB after the submission, ${f.rssMb.polled.toFixed(0)} MB after the polls; peak ${f.rssMb.peak.toFixed(0)} MB | stated |`;
}
