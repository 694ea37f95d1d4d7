import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chainSnakefile } from './chain-workload.js';

/** How long a stopped Snakemake may take to exit before it is killed: it waits for its cluster jobs. */
const STOP_GRACE_MS = 10_000;

/** What one Snakemake cluster submission did within its window. */
export interface SnakeRun {
  readonly ms: number;
  /** Calls of the submit command, as the counting wrapper logged them. */
  readonly submissions: number;
  readonly finished: boolean;
  /** Snakemake exited with an error (its stderr is printed). */
  readonly failed: boolean;
}

export interface SnakeClusterOptions {
  /** Work folder: Snakefile, wrapper, call log and Snakemake's own state. */
  readonly dir: string;
  readonly subjects: number;
  readonly jobs: number;
  /** `--immediate-submit`: every job at once, dependencies passed to the wrapper. */
  readonly immediate: boolean;
  readonly windowMs: number;
  /** A bash script that logs `date +%s%N` to its first argument, then submits the job script. */
  readonly countingWrapper: string;
  /** Extra environment of Snakemake and its submit calls (e.g. SLURM_CONF). */
  readonly env?: Readonly<Record<string, string>>;
  /** Cancels what Snakemake left in the scheduler. */
  readonly cleanup: () => void;
}

/**
 * Runs Snakemake 7's cluster submission of the chain workload for at most `windowMs`, then stops it (its
 * process group: Snakemake and its submit calls) and cleans up. Shared by the Slurm and SGE benches.
 */
export async function runSnakemakeCluster(o: SnakeClusterOptions): Promise<SnakeRun> {
  mkdirSync(o.dir, { recursive: true });
  writeFileSync(join(o.dir, 'Snakefile'), chainSnakefile(o.subjects, o.jobs));
  const wrapper = join(o.dir, 'submit-count');
  writeFileSync(wrapper, o.countingWrapper, { mode: 0o755 });
  const log = join(o.dir, 'submit-calls.log');
  writeFileSync(log, '');
  const cluster = o.immediate ? `${wrapper} ${log} {dependencies}` : `${wrapper} ${log}`;
  const args = [
    '--jobs',
    '1000',
    '--cluster',
    cluster,
    '--quiet',
    '-d',
    o.dir,
    '-s',
    join(o.dir, 'Snakefile'),
  ];
  if (o.immediate) args.push('--immediate-submit', '--notemp');
  const env = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: o.dir,
    LANG: 'C.UTF-8',
    ...o.env,
    ...(o.immediate ? { COHORT_BENCH_HOLD: '1' } : {}),
  };
  const started = performance.now();
  const child = spawn('snakemake', args, { env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const finished = await Promise.race([exited.then(() => true), sleep(o.windowMs).then(() => false)]);
  const elapsed = performance.now() - started;
  if (!finished) {
    process.kill(-child.pid!, 'SIGTERM');
    // On SIGTERM Snakemake waits for its cluster jobs to end: held ones never do.
    const stopped = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
    if (!stopped) process.kill(-child.pid!, 'SIGKILL');
  }
  const code = await exited;
  if (finished && code !== 0) console.warn(`snakemake exited with an error: ${stderr}`);
  const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean).map(Number);
  o.cleanup();
  const last = calls.length > 0 ? (calls[calls.length - 1]! - calls[0]!) / 1e6 : 0;
  return {
    ms: finished ? elapsed : Math.max(last, elapsed),
    submissions: calls.length,
    finished,
    failed: finished && code !== 0,
  };
}
