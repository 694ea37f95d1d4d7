import { spawn } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskSpec } from '../src/executors/executor.js';
import { BIOBANK_SHAPE, BIOBANK_WORK } from './biobank-index.js';
import { startBenchCluster, type BenchCluster } from './biobank-clusters.js';
import { ms } from './measure.js';

/**
 * 200,000 tasks (100,000 subjects × 2 chained jobs of `true`) into a Slurm or SGE cluster of the
 * bench's own (scripts/cluster/*-up.sh with their own state folder and port: never the shared ones,
 * which other test suites use; see biobank-clusters.ts), as the engine hands them to the executor in one
 * submit call (the job as arrayKey, the second job element-wise on the first). Nothing runs meanwhile
 * (nodes drained, queues disabled: the machine is shared), so the figures are the submission's alone.
 * Measured: time until all are accepted, the submit commands and their time; then POLLS polls of all
 * ids (scheduler commands and time of each); the process's memory (RSS) and CPU after each stage, and
 * the load average. Then everything is cancelled and the cluster stopped.
 */
const JOBS = 2;
const POLLS = Number(process.env.BENCH_BIOBANK_POLLS ?? 5);
const POLL_GAP_MS = 2000;

export interface ClusterFigures {
  readonly kind: string;
  readonly tasks: number;
  readonly maxArray: number;
  readonly acceptedMs: number;
  /** CPU (user + system) of the submitting process during the submission. */
  readonly acceptedCpuMs?: number;
  readonly submitCommands: number;
  /** Time spent in the submit commands themselves. */
  readonly submitCommandMs?: number;
  readonly pollCommands: number[];
  readonly pollMs: number[];
  readonly rssMb: {
    readonly before: number;
    readonly submitted: number;
    readonly polled: number;
    readonly peak: number;
  };
  readonly load: number;
  readonly loadAfter?: number;
  readonly date?: string;
}

const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

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

/** Submits, polls, reports; the cluster is the bench's own and is emptied and stopped afterwards. */
export async function runBiobankCluster(kind: 'slurm' | 'sge'): Promise<ClusterFigures> {
  const dir = join(BIOBANK_WORK, `biobank-${kind}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const subjects = Number(process.env.BENCH_BIOBANK_CLUSTER_SUBJECTS ?? BIOBANK_SHAPE.subjects);
  let cluster: BenchCluster | undefined;
  try {
    cluster = startBenchCluster(kind, join(dir, 'state'));
    const { executor } = cluster;
    const before = rssMb();
    const tasks = specs(dir, subjects);
    let submitCommandMs = 0;
    const stop = executor.commands.onCommand((e) => {
      if (e.program === cluster!.submitProgram) submitCommandMs += e.ms;
    });
    const load = loadavg()[0] ?? 0;
    const cpu = cpuMs();
    const started = performance.now();
    const ids = await executor.submit(tasks);
    const acceptedMs = performance.now() - started;
    const acceptedCpuMs = cpuMs() - cpu;
    stop();
    const submitCommands = executor.commands.counts.get(cluster.submitProgram) ?? 0;
    const submitted = rssMb();
    console.log(JSON.stringify({ acceptedMs, acceptedCpuMs, submitCommands, submitCommandMs, submitted }));
    const pollCommands: number[] = [];
    const pollMs: number[] = [];
    for (let i = 0; i < POLLS; i++) {
      const count = executor.commands.count;
      const t = performance.now();
      await executor.status(ids);
      pollMs.push(performance.now() - t);
      pollCommands.push(executor.commands.count - count);
      console.log(JSON.stringify({ poll: i, ms: pollMs.at(-1), commands: pollCommands.at(-1) }));
      await sleep(POLL_GAP_MS);
    }
    return {
      kind,
      tasks: tasks.length,
      maxArray: Math.ceil(tasks.length / JOBS / Math.max(1, submitCommands / JOBS)),
      acceptedMs,
      acceptedCpuMs,
      submitCommands,
      submitCommandMs,
      pollCommands,
      pollMs,
      rssMb: { before, submitted, polled: rssMb(), peak: process.resourceUsage().maxRSS / 1024 },
      load,
      loadAfter: loadavg()[0] ?? 0,
      date: new Date().toISOString().slice(0, 10),
    };
  } finally {
    cluster?.stop();
    // Task folders are renamed away at once (a rerun starts clean) and removed in the background.
    const trash = `${dir}.trash-${Date.now()}`;
    renameSync(dir, trash);
    spawn('rm', ['-rf', trash], { detached: true, stdio: 'ignore' }).unref();
  }
}

/** The cluster part's markdown. */
export function biobankClusterLines(f: ClusterFigures): string {
  const mean = f.pollMs.reduce((a, b) => a + b, 0) / f.pollMs.length;
  const name = f.kind === 'slurm' ? 'Slurm 22.05' : 'SGE 8.1.9';
  const submit = f.kind === 'slurm' ? 'sbatch' : 'qsub';
  const how =
    f.kind === 'slurm'
      ? '`scripts/cluster/slurm-up.sh` with its own COHORT_SLURM_DIR and port, one node, no accounting, MaxJobCount 400,000 (Slurm counts every array task against it), the node drained'
      : '`scripts/cluster/sge-up.sh` with its own COHORT_SGE_DIR and port, its queues disabled';
  const cpu = f.acceptedCpuMs === undefined ? '' : `, ${ms(f.acceptedCpuMs)} CPU`;
  const inCommands = f.submitCommandMs === undefined ? '' : ` (${ms(f.submitCommandMs)} of it in ${submit})`;
  return `${f.tasks.toLocaleString('en')} tasks (${(f.tasks / JOBS).toLocaleString('en')} subjects × ${JOBS} chained jobs of \`true\`) into a loopback ${name}
of the bench's own (${how}, so that nothing runs during the measurement on the shared machine), through
the executor in one submit call as the engine makes it (arrays by job of up to ${f.maxArray.toLocaleString('en')} elements, ${f.kind === 'slurm' ? "the cluster's MaxArraySize" : "the executor's default, under the cluster's max_aj_tasks"}; the second job element-wise on the first)${f.kind === 'sge' ? "; a poll is one `qstat`, and at most every 30 s a second one telling an administrator's holds from waits for a dependency (holdCheckMs)" : ''}. ${f.date ?? ''}; load average ${f.load.toFixed(1)} before the submission${f.loadAfter === undefined ? '' : `, ${f.loadAfter.toFixed(1)} after the polls`}.

| what | result | target |
|---|---|---|
| all ${f.tasks.toLocaleString('en')} accepted (wrappers and index files written, every ${submit} returned) | ${ms(f.acceptedMs)} wall${cpu}, ${f.submitCommands} ${submit} calls${inCommands} | under 60 s |
| a status poll of all ${f.tasks.toLocaleString('en')} ids (${f.pollMs.length} polls, ${POLL_GAP_MS / 1000} s apart) | ${Math.max(...f.pollCommands)} scheduler command${Math.max(...f.pollCommands) === 1 ? '' : 's'} per poll at most; ${ms(mean)} each on average, at most ${ms(Math.max(...f.pollMs))} | one command per poll |
| the submitting process's memory (RSS) | ${f.rssMb.before.toFixed(0)} MB before, ${f.rssMb.submitted.toFixed(0)} MB after the submission, ${f.rssMb.polled.toFixed(0)} MB after the polls; peak ${f.rssMb.peak.toFixed(0)} MB | stated |`;
}
