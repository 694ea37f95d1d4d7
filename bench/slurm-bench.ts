import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { SlurmExecutor } from '../src/executors/slurm/slurm-executor.js';
import { hasEnded } from '../src/executors/wait-for.js';
import { machineLine, ms } from './measure.js';
import { writeSection } from './write-results.js';
import { chainTaskSpecs } from './chain-workload.js';
import { runSnakemakeCluster, type SnakeRun } from './snakemake-cluster.js';
import { deleteWorkFolder } from './fresh-work.js';

/**
 * Issue 4 figures for Slurm: 1000 tasks (100 subjects × 10 chained jobs of `true`) submitted to the
 * single-node loopback Slurm of scripts/cluster/slurm-up.sh through SlurmExecutor: time until all are
 * accepted, scheduler commands issued for the submission and per poll while they run; side by side with
 * Snakemake 7's cluster submission of the same chain (counted through a wrapper around sbatch). One run
 * each: the figures are counts and seconds, not milliseconds to take a median of.
 */
const WORK = fileURLToPath(new URL('./.work/slurm/', import.meta.url));
const UP = fileURLToPath(new URL('../scripts/cluster/slurm-up.sh', import.meta.url));
const STATE = '/var/tmp/cohort-slurm';
const SLURM_ENV = { SLURM_CONF: join(STATE, 'slurm.conf') };
const SUBJECTS = 100;
const JOBS = 10;
const POLL_MS = 1000;
/**
 * How long each Snakemake submission is watched: without --immediate-submit it submits a job once its
 * input exists, and either way it takes about a second per submission on this machine.
 */
const SNAKE_WINDOW_MS = Number(process.env.BENCH_SNAKE_WINDOW_MS ?? 120_000);
/** How long the polls are watched while the tasks run. */
const RUN_WINDOW_MS = Number(process.env.BENCH_SLURM_RUN_MS ?? 60_000);
const SNAKE_JOB_NAME = 'cohort-bench-snakemake';

interface Submission {
  readonly acceptedMs: number;
  readonly sbatch: number;
  readonly ids: string[];
  readonly executor: SlurmExecutor;
}

async function submit(dir: string, arrays: boolean): Promise<Submission> {
  const executor = new SlurmExecutor({ env: SLURM_ENV });
  const tasks = chainTaskSpecs(dir, SUBJECTS, JOBS, arrays);
  const started = performance.now();
  const ids = await executor.submit(tasks);
  // sbatch alone: a submit also reads the cluster's limits (scontrol show config, one squeue count).
  const sbatch = executor.commands.counts.get('sbatch') ?? 0;
  return { acceptedMs: performance.now() - started, sbatch, ids, executor };
}

/**
 * Polls all ids once a second until every task ended or RUN_WINDOW_MS passed (the single node runs a
 * few `true` jobs per second: the whole run would take many minutes of a shared machine); the commands
 * and time of each poll, and how many tasks were done by then.
 */
async function pollWhileRunning(
  run: Submission,
): Promise<{ polls: number[]; pollMs: number[]; elapsedMs: number; done: number; ended: boolean }> {
  const polls: number[] = [];
  const pollMs: number[] = [];
  const started = performance.now();
  for (;;) {
    const before = run.executor.commands.count;
    const t = performance.now();
    const statuses = await run.executor.status(run.ids);
    pollMs.push(performance.now() - t);
    polls.push(run.executor.commands.count - before);
    const all = [...statuses.values()];
    const elapsedMs = performance.now() - started;
    const ended = all.every(hasEnded);
    if (ended || elapsedMs > RUN_WINDOW_MS) {
      const done = all.filter((s) => s.state === 'done').length;
      if (all.some((s) => s.state === 'error' || s.state === 'killed'))
        throw new Error('a bench task failed');
      return { polls, pollMs, elapsedMs, done, ended };
    }
    await sleep(POLL_MS);
  }
}

/** sbatch behind a wrapper that logs each call: the Snakemake side's count of scheduler commands. */
const COUNTING_SBATCH = `#!/bin/bash
# $1: log of calls; then Snakemake's {dependencies} (job ids, with --immediate-submit); last: the job script.
log="$1"; shift
deps=()
while (($# > 1)); do deps+=("$1"); shift; done
dependency=()
if ((\${#deps[@]} > 0)); then dependency=("--dependency=afterok:$(IFS=:; echo "\${deps[*]}")"); fi
date +%s%N >>"$log"
# With --immediate-submit the jobs are held: only their acceptance is measured, and jobs that ran and
# ended while Snakemake 7.21 was still submitting made it crash (KeyError in its scheduler).
hold=()
if [[ -n "\${COHORT_BENCH_HOLD:-}" ]]; then hold=(--hold); fi
exec sbatch --parsable --output=/dev/null --job-name=${SNAKE_JOB_NAME} "\${hold[@]}" "\${dependency[@]}" "$1"
`;

function snakemake(dir: string, immediate: boolean, windowMs: number): Promise<SnakeRun> {
  return runSnakemakeCluster({
    dir,
    subjects: SUBJECTS,
    jobs: JOBS,
    immediate,
    windowMs,
    countingWrapper: COUNTING_SBATCH,
    env: SLURM_ENV,
    cleanup: () =>
      execFileSync('scancel', [`--name=${SNAKE_JOB_NAME}`], { env: { ...process.env, ...SLURM_ENV } }),
  });
}

export async function runSlurmBench(): Promise<void> {
  execFileSync('bash', [UP], { stdio: 'inherit', env: { ...process.env, COHORT_SLURM_DIR: STATE } });
  deleteWorkFolder(WORK);
  mkdirSync(WORK, { recursive: true });
  const tasks = SUBJECTS * JOBS;

  const arrays = await submit(join(WORK, 'arrays'), true);
  const run = await pollWhileRunning(arrays);
  await arrays.executor.cancel(arrays.ids); // what is left after the window

  // Without the engine's arrayKey: the first jobs of all subjects are one array, the rest single jobs.
  const singles = await submit(join(WORK, 'singles'), false);
  await singles.executor.cancel(singles.ids); // only acceptance is measured; spare the machine the run

  const immediate = await snakemake(join(WORK, 'snake-immediate'), true, SNAKE_WINDOW_MS);
  const plain = await snakemake(join(WORK, 'snake-plain'), false, SNAKE_WINDOW_MS);

  const maxPoll = Math.max(...run.polls);
  const meanPollMs = run.pollMs.reduce((a, b) => a + b, 0) / run.pollMs.length;
  const snakeLine = (run: SnakeRun, why: string): string =>
    run.failed
      ? `Snakemake failed after ${ms(run.ms)} (see the bench output) | ${run.submissions}`
      : run.finished
        ? `${ms(run.ms)} | ${run.submissions}`
        : `not done after ${ms(run.ms)}: ${run.submissions} of ${tasks} submitted${why} | ${run.submissions}`;
  const text = `## Slurm submission (issue 4)

${tasks} tasks (${SUBJECTS} subjects × ${JOBS} chained jobs of \`true\`) submitted to the single-node loopback
Slurm 22.05 of \`scripts/cluster/slurm-up.sh\`, \`bench/slurm-bench.ts\`, one run. "Accepted" is the time
until the scheduler holds all ${tasks} jobs (with their dependencies); "commands" counts every scheduler
command issued (SlurmExecutor's command runner; a wrapper around \`sbatch\` for Snakemake 7, Debian).
Machine: ${machineLine()}.

| submitter | all accepted | sbatch calls |
|---|---|---|
| SlurmExecutor, arrays by job (\`arrayKey\`, chained with \`aftercorr\`) | ${ms(arrays.acceptedMs)} (target under 10 s) | ${arrays.sbatch} |
| SlurmExecutor without \`arrayKey\` (one array of first jobs, then single jobs with \`afterok\`) | ${ms(singles.acceptedMs)} | ${singles.sbatch} |
| Snakemake 7 \`--cluster 'sbatch …' --jobs 1000 --immediate-submit\` (\`afterok\` per job) | ${snakeLine(immediate, '')} |
| Snakemake 7 \`--cluster 'sbatch …' --jobs 1000\` | ${snakeLine(plain, ' (each once its input exists)')} |

While the ${tasks} array tasks ran (${run.ended ? `all done after ${ms(run.elapsedMs)}` : `${run.done} done in the ${ms(run.elapsedMs)} watched, then the rest cancelled`}), a status poll of all
${tasks} ids every second took ${run.polls.length} polls of at most ${maxPoll} scheduler command${maxPoll === 1 ? '' : 's'}
(one \`squeue\`, whatever the number of jobs; target: one), ${ms(meanPollMs)} each on average. Snakemake
checks its jobs through files the job scripts write, and each of its jobs starts a Snakemake process.
Each Snakemake run was watched for at most ${ms(SNAKE_WINDOW_MS)}, then stopped and its jobs cancelled; with
\`--immediate-submit\` its jobs were submitted held (\`--hold\`), as Snakemake 7.21 crashed when jobs
ended while it was still submitting.`;
  console.log(text);
  writeSection('slurm', text);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1])
  await runSlurmBench();
