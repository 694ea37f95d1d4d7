import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { machineLine, median, ms, ratio, timeCommand } from './measure.js';
import { writeSection } from './write-results.js';
import { chainSnakefile } from './chain-workload.js';
import { freshWorkFolder } from './fresh-work.js';
import { alternate } from './alternate.js';
import { timeTree } from './time-tree.js';

/**
 * Issue 3 figures: local runner overhead for 1000 trivial tasks (100 subjects × 10 chained jobs), side by
 * side with Snakemake 7 running the same 1000 tasks locally and a plain `xargs -P <cores>` of the same
 * commands, in one run, each repeated; medians.
 */
const WORK = fileURLToPath(new URL('./.work/runner/', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
/** Subjects (× 10 jobs): 100 by default; BENCH_RUNNER_SUBJECTS=999 gives the 10,000-task run (the demo's most). */
const SUBJECTS = Number(process.env.BENCH_RUNNER_SUBJECTS ?? 100);
/** Snakemake needs minutes for 10,000 tasks: it runs beside the 1,000-task figure only. */
const SMALL = SUBJECTS * 10 <= 1000;
/** BENCH_RUNNER_SNAKEMAKE=0 leaves Snakemake out (a quick check of Cohort against `xargs`). */
const WITH_SNAKEMAKE = SMALL && process.env.BENCH_RUNNER_SNAKEMAKE !== '0';
const JOBS = 10;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const CORES = availableParallelism();

const load = (): string => loadavg()[0]!.toFixed(1);

function batchJson(): string {
  const jobs = Array.from({ length: JOBS }, (_, k) => ({
    name: `step ${k + 1}`,
    language: 'bash',
    script: 'true',
    args: [],
  }));
  return JSON.stringify({ name: 'trivial', level: 'subject', jobs });
}

export function runRunnerBench(): void {
  const deleteLastRun = freshWorkFolder(WORK);
  const batch = join(WORK, 'trivial.json');
  writeFileSync(batch, batchJson());
  const scripts = join(WORK, 'xargs');
  mkdirSync(scripts);
  const list: string[] = [];
  for (let i = 0; i < SUBJECTS * JOBS; i++) {
    const file = join(scripts, `t${i}.sh`);
    writeFileSync(file, 'true\n');
    list.push(file);
  }
  writeFileSync(join(WORK, 'list'), `${list.join('\0')}\0`);

  // The same small, clean environment for all three: a developer's shell setup (pyenv hooks, say) would
  // otherwise run in every one of the 1000 bash processes and measure that instead.
  const clean = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: WORK, LANG: 'C.UTF-8' };
  const snake: number[] = [];
  // The demo projects first, and their writes flushed: a demo written just before a timed run left the
  // kernel writing back its files during that run, on the same two cores (a second of 9 here).
  const homes = Array.from({ length: REPEATS }, (_, r) => join(WORK, `home-${r}`));
  for (const home of homes)
    timeCommand(process.execPath, [CLI, 'demo', '--subjects', String(SUBJECTS)], {
      ...clean,
      COHORT_HOME: home,
    });
  timeCommand('sync', []);
  const loadBefore = load();
  const runs = alternate(
    REPEATS,
    ['cohort', 'xargs'],
    (r) => {
      const run = timeTree(process.execPath, [CLI, 'run', batch, '--json'], {
        ...clean,
        COHORT_HOME: homes[r],
      });
      const report = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as { done: number };
      if (report.done !== SUBJECTS * JOBS) throw new Error(`cohort ran ${report.done} tasks`);
      return run;
    },
    // The fastest honest form of the peer: one `bash -c true` per task, no script file to read.
    () =>
      timeTree(
        'bash',
        ['-c', 'xargs -0 -P "$2" -n 1 bash -c true < "$1"', 'x', join(WORK, 'list'), String(CORES)],
        clean,
      ),
    (r) => {
      if (WITH_SNAKEMAKE) {
        const sm = join(WORK, `snake-${r}`);
        mkdirSync(sm);
        writeFileSync(join(sm, 'Snakefile'), chainSnakefile(SUBJECTS, JOBS));
        const args = ['--cores', String(CORES), '--quiet', '-d', sm, '-s', join(sm, 'Snakefile')];
        snake.push(timeCommand('snakemake', args, clean).ms);
      }
      return `load ${load()}`;
    },
  );
  deleteLastRun();
  const c = runs.median('ours', 'ms');
  const s = WITH_SNAKEMAKE ? median(snake) : Number.NaN;
  const x = runs.median('peer', 'ms');
  const loadAfter = load();
  const tasks = SUBJECTS * JOBS;
  const snakeRow = WITH_SNAKEMAKE
    ? `| Snakemake ${'7'} | ${ms(s)} | ${((tasks / s) * 1000).toFixed(0)} | ${ratio(s / c)} (target ≥ 5×) |\n`
    : '';
  const text = `## Local runner (issues 3, 9, 18)${SMALL ? '' : `: ${tasks} tasks`}

${tasks} trivial tasks (${SUBJECTS} subjects × ${JOBS} chained bash jobs \`true\`), ${CORES} parallel slots,
\`bench/runner-bench.ts\`, medians of ${REPEATS} runs. Cohort's time is the whole \`cohort run\` command
(resolution, writing ${tasks} task folders, running, recording states). Snakemake 7 (Debian) runs the same chain
of shell jobs with \`--cores ${CORES}\` (only at 1,000 tasks); \`xargs -P ${CORES}\` runs one \`bash -c true\` per task
with no chaining (the fastest honest form of the peer). The three alternate within each repeat.
Machine: ${machineLine()}, load average ${loadBefore} at the start and ${loadAfter} at the end.
Cohort's time against \`xargs\`' within each repeat (median of the ratios): ${ratio(median(runs.ratios))}.
CPU (user + system of the command and of every process it started, the detached launcher and the tasks
included: \`bench/cpu-tree.py\`, a child subreaper): Cohort ${ms(runs.median('ours', 'cpuMs'))}, \`xargs\` ${ms(runs.median('peer', 'cpuMs'))}.

| runner | wall time | tasks/s | Cohort's speed-up |
|---|---|---|---|
| \`cohort run\` (local executor) | ${ms(c)} | ${((tasks / c) * 1000).toFixed(0)} | |
${snakeRow}| \`xargs -P ${CORES}\` | ${ms(x)} | ${((tasks / x) * 1000).toFixed(0)} | Cohort takes ${ratio(c / x)} its time (target ≤ 1.5×) |`;
  console.log(text);
  writeSection(SMALL ? 'runner' : `runner-${tasks}`, text);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) runRunnerBench();
