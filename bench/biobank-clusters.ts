import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GridExecutor } from '../src/executors/cluster/grid-executor.js';
import { SgeExecutor } from '../src/executors/sge/sge-executor.js';
import { SlurmExecutor } from '../src/executors/slurm/slurm-executor.js';

/** A cluster of the bench's own, with the executor the engine would make for it. */
export interface BenchCluster {
  readonly executor: GridExecutor;
  /** What its client commands need in their environment. */
  readonly env: Readonly<Record<string, string>>;
  /** `sbatch` or `qsub`. */
  readonly submitProgram: string;
  /** Cancels every job, the cluster stays up. */
  clear(): void;
  /** How many jobs (an array once) the scheduler lists. */
  submitted(): number;
  /** Cancels everything and stops the cluster. */
  stop(): void;
}

const SCRIPTS = fileURLToPath(new URL('../scripts/cluster/', import.meta.url));
const script = (name: string, env: NodeJS.ProcessEnv): void =>
  void execFileSync('bash', [join(SCRIPTS, name)], { stdio: 'inherit', env });

/**
 * Starts a cluster of the bench's own (its own state folder and ports: never the shared ones at
 * /var/tmp/cohort-slurm and Debian's SGE cell, which other test suites use) on which nothing runs:
 * Slurm's node drained, SGE's queues disabled. Slurm: one node, no accounting, MaxJobCount 400,000
 * (it counts every array task; 200,000 tasks are more than its default room). SGE: as sge-up.sh makes it.
 */
export function startBenchCluster(kind: 'slurm' | 'sge', stateDir: string): BenchCluster {
  return kind === 'slurm' ? startSlurm(stateDir) : startSge(stateDir);
}

function startSlurm(stateDir: string): BenchCluster {
  const state = process.env.BENCH_SLURM_DIR ?? '/var/tmp/cohort-bench-biobank-slurm';
  const env = {
    ...process.env,
    COHORT_SLURM_DIR: state,
    COHORT_SLURM_PORT: process.env.BENCH_SLURM_PORT ?? '6937',
    COHORT_SLURM_NODES: '1',
    COHORT_SLURM_ACCOUNTING: '0',
    COHORT_SLURM_MAX_JOBS: '400000',
  };
  const slurmEnv = { SLURM_CONF: join(state, 'slurm.conf') };
  const run = (program: string, ...args: string[]): string =>
    execFileSync(program, args, { env: { ...process.env, ...slurmEnv }, encoding: 'utf8' });
  script('slurm-up.sh', env);
  for (const node of run('sinfo', '--noheader', '--Node', '--format=%N').split('\n').filter(Boolean))
    run('scontrol', 'update', `nodename=${node}`, 'state=drain', 'reason=bench: nothing runs');
  return {
    executor: new SlurmExecutor({ env: slurmEnv, stateDir }),
    env: slurmEnv,
    submitProgram: 'sbatch',
    clear() {
      run('scancel', '--user', 'root');
    },
    submitted: () => run('squeue', '--noheader', '--format=%i').split('\n').filter(Boolean).length,
    stop() {
      try {
        run('scancel', '--user', 'root');
      } finally {
        script('slurm-down.sh', env);
      }
    },
  };
}

function startSge(stateDir: string): BenchCluster {
  const state = process.env.BENCH_SGE_DIR ?? '/var/tmp/cohort-bench-biobank-sge';
  const port = Number(process.env.BENCH_SGE_PORT ?? 6950);
  const env = { ...process.env, COHORT_SGE_DIR: state, COHORT_SGE_PORT: String(port) };
  script('sge-up.sh', env);
  // The executor's commands find this cell by the environment sge-up.sh writes to env.sh.
  const sgeEnv = {
    SGE_ROOT: join(state, 'root'),
    SGE_CELL: 'default',
    SGE_QMASTER_PORT: String(port),
    SGE_EXECD_PORT: String(port + 1),
  };
  Object.assign(process.env, sgeEnv);
  const run = (program: string, ...args: string[]): string =>
    execFileSync(`/usr/lib/gridengine/${program}`, args, { encoding: 'utf8' });
  run('qmod', '-d', '*');
  return {
    executor: new SgeExecutor({ stateDir }),
    env: sgeEnv,
    submitProgram: 'qsub',
    clear() {
      try {
        run('qdel', '-f', '-u', 'root');
      } catch {
        // nothing to delete
      }
    },
    submitted: () =>
      new Set([...run('qstat', '-xml').matchAll(/<JB_job_number>(\d+)</g)].map((m) => m[1])).size,
    stop() {
      try {
        run('qdel', '-f', '-u', 'root');
      } catch {
        // nothing left to delete
      } finally {
        script('sge-down.sh', env);
      }
    },
  };
}
