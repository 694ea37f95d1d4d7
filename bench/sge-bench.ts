import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { SgeExecutor } from '../src/executors/sge/sge-executor.js';
import { hasEnded } from '../src/executors/wait-for.js';
import { machineLine, ms } from './measure.js';
import { writeSection } from './write-results.js';
import { chainTaskSpecs } from './chain-workload.js';
import { runSnakemakeCluster, type SnakeRun } from './snakemake-cluster.js';
import { deleteWorkFolder } from './fresh-work.js';

/**
 * Issue 4 figures for SGE: 1000 tasks (100 subjects × 10 chained jobs of `true`) submitted to the
 * single-node SGE of scripts/cluster/sge-up.sh through SgeExecutor: time until all are accepted,
 * scheduler commands issued for the submission and per poll while they run; side by side with
 * Snakemake 7's cluster submission of the same chain (counted through a wrapper around qsub). One run
 * each: the figures are counts and seconds.
 */
const WORK = fileURLToPath(new URL('./.work/sge/', import.meta.url));
const UP = fileURLToPath(new URL('../scripts/cluster/sge-up.sh', import.meta.url));
const SUBJECTS = 100;
const JOBS = 10;
const POLL_MS = 1000;
/** How long each Snakemake run is watched: it takes a while per submission (qsub through a wrapper). */
const SNAKE_WINDOW_MS = Number(process.env.BENCH_SNAKE_WINDOW_MS ?? 120_000);
/** How long the polls are watched while the tasks run (a 2-core node runs a few `true` jobs a second). */
const RUN_WINDOW_MS = Number(process.env.BENCH_SGE_RUN_MS ?? 60_000);
const SNAKE_JOB_NAME = 'cohort-bench-snakemake';
/**
 * Subjects of the run without arrayKey: one qsub per task takes 0.1 to 1 s on a loaded 2-core machine,
 * so by default only 10 subjects (100 tasks) are submitted that way.
 */
const SINGLES_SUBJECTS = Number(process.env.BENCH_SGE_SINGLES_SUBJECTS ?? 10);

interface Submission {
  readonly acceptedMs: number;
  readonly qsub: number;
  readonly ids: string[];
  readonly executor: SgeExecutor;
}

async function submit(dir: string, arrays: boolean, subjects = SUBJECTS): Promise<Submission> {
  const executor = new SgeExecutor({ stateDir: join(dir, 'state') });
  const tasks = chainTaskSpecs(dir, subjects, JOBS, arrays);
  const started = performance.now();
  const ids = await executor.submit(tasks);
  return { acceptedMs: performance.now() - started, qsub: executor.commands.count, ids, executor };
}

/** Polls all ids once a second until every task ended or RUN_WINDOW_MS passed. */
async function pollWhileRunning(run: Submission) {
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
      if (all.some((s) => s.state === 'error' || s.state === 'killed'))
        throw new Error('a bench task failed');
      return { polls, pollMs, elapsedMs, done: all.filter((s) => s.state === 'done').length, ended };
    }
    await sleep(POLL_MS);
  }
}

/** qsub behind a wrapper that logs each call: the Snakemake side's count of scheduler commands. */
const COUNTING_QSUB = `#!/bin/bash
# $1: log of calls; then Snakemake's {dependencies} (job ids, with --immediate-submit); last: the job script.
log="$1"; shift
deps=()
while (($# > 1)); do deps+=("$1"); shift; done
hold=()
if ((\${#deps[@]} > 0)); then hold=(-hold_jid "$(IFS=,; echo "\${deps[*]}")"); fi
date +%s%N >>"$log"
# With --immediate-submit the jobs are held (-h): only their acceptance is measured (as for Slurm).
if [[ -n "\${COHORT_BENCH_HOLD:-}" ]]; then hold+=(-h); fi
exec qsub -terse -N ${SNAKE_JOB_NAME} -o /dev/null -j y -S /bin/bash "\${hold[@]}" "$1"
`;

function snakemake(dir: string, immediate: boolean, windowMs: number): Promise<SnakeRun> {
  return runSnakemakeCluster({
    dir,
    subjects: SUBJECTS,
    jobs: JOBS,
    immediate,
    windowMs,
    countingWrapper: COUNTING_QSUB,
    cleanup: () => {
      try {
        execFileSync('qdel', [SNAKE_JOB_NAME], { stdio: 'ignore' }); // by job name
      } catch {
        // none left
      }
    },
  });
}

/** Runs the SGE benchmark and writes its section `sge` of docs/benchmarks.md. */
export async function runSgeBench(): Promise<void> {
  execFileSync('bash', [UP], { stdio: 'inherit' });
  deleteWorkFolder(WORK);
  mkdirSync(WORK, { recursive: true });
  const tasks = SUBJECTS * JOBS;

  const arrays = await submit(join(WORK, 'arrays'), true);
  const run = await pollWhileRunning(arrays);
  await arrays.executor.cancel(arrays.ids); // what is left after the window

  // Without the engine's arrayKey: the first jobs of all subjects are one array, the rest single jobs.
  const singles = await submit(join(WORK, 'singles'), false, SINGLES_SUBJECTS);
  await singles.executor.cancel(singles.ids); // only acceptance is measured

  const immediate = await snakemake(join(WORK, 'snake-immediate'), true, SNAKE_WINDOW_MS);
  const plain = await snakemake(join(WORK, 'snake-plain'), false, SNAKE_WINDOW_MS);

  const maxPoll = Math.max(...run.polls);
  const meanPollMs = run.pollMs.reduce((a, b) => a + b, 0) / run.pollMs.length;
  const snakeLine = (r: SnakeRun, why: string): string =>
    r.finished
      ? `${ms(r.ms)} | ${r.submissions}`
      : `not done after ${ms(r.ms)}: ${r.submissions} of ${tasks} submitted${why} | ${r.submissions}`;
  const text = `## SGE submission (issue 4)

${tasks} tasks (${SUBJECTS} subjects × ${JOBS} chained jobs of \`true\`) submitted to the single-node Son of
Grid Engine 8.1.9 of \`scripts/cluster/sge-up.sh\`, \`bench/sge-bench.ts\`, one run. "Accepted" is the time
until qmaster holds all ${tasks} jobs (with their dependencies); "qsub calls" counts every scheduler command
issued for the submission (SgeExecutor's command runner; a wrapper around \`qsub\` for Snakemake 7, Debian).
Machine: ${machineLine()}.

| submitter | all accepted | qsub calls |
|---|---|---|
| SgeExecutor, arrays by job (\`arrayKey\`, \`qsub -t 1-100\` chained with \`-hold_jid_ad\`) | ${ms(arrays.acceptedMs)} (target under 10 s) | ${arrays.qsub} |
| SgeExecutor without \`arrayKey\` (one array of first jobs, then single jobs with \`-hold_jid\`), ${SINGLES_SUBJECTS * JOBS} tasks (${SINGLES_SUBJECTS} subjects) | ${ms(singles.acceptedMs)} (${ms(singles.acceptedMs / (singles.qsub || 1))} per qsub) | ${singles.qsub} |
| Snakemake 7 \`--cluster 'qsub …' --jobs 1000 --immediate-submit\` (\`-hold_jid\` per job) | ${snakeLine(immediate, '')} |
| Snakemake 7 \`--cluster 'qsub …' --jobs 1000\` | ${snakeLine(plain, ' (each once its input exists)')} |

While the ${tasks} array tasks ran (${run.ended ? `all done after ${ms(run.elapsedMs)}` : `${run.done} done in the ${ms(run.elapsedMs)} watched, then the rest deleted`}), a status poll of all
${tasks} ids every second took ${run.polls.length} polls of at most ${maxPoll} scheduler command${maxPoll === 1 ? '' : 's'}
(one \`qstat -xml\`, whatever the number of jobs; \`qacct\` only for jobs killed without an exit file;
target: one), ${ms(meanPollMs)} each on average, reading the exit files of the tasks that left qstat.
SgeExecutor runs the SGE binaries directly: Debian's \`qsub\` on PATH is a shell wrapper that runs SGE's
\`arch\` script first, about a second per command on this loaded machine against some 30 ms for the
binary (Snakemake's wrapper calls that \`qsub\`). Each Snakemake run was watched for at most
${ms(SNAKE_WINDOW_MS)}, then stopped and its jobs deleted; with \`--immediate-submit\` its jobs were
submitted held (\`-h\`).`;
  console.log(text);
  writeSection('sge', text);
  // As `npm run lint` (prettier --check) wants the file: aligned tables, blank lines around the markers.
  const docs = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
  const options = { ...(await resolveConfig(docs)), parser: 'markdown' };
  writeFileSync(docs, await format(readFileSync(docs, 'utf8'), options));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await runSgeBench();
