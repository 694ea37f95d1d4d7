import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine, median, ms } from './measure.js';
import { writeSection } from './write-results.js';
import { makeInJobTask, startOwnedRun } from './in-job-task.js';
import { timeRunsWithAdds } from './in-job-run-level.js';
import { cohortClientPath } from '../src/runs/task-environment.js';

/**
 * Issue 18 item 2: `cohort add FILE --tag t` as a job calls it (the job's `cohort` launcher on PATH, the
 * task's variables set), whole processes, alternated with its floors in each repeat, medians:
 * `bash -c true`, `node -e 0` (Node's own start) and a Node process that only opens the catalog with
 * better-sqlite3 and reads one row (the least any Node client of the catalog does). The add three ways:
 * answered by the run's owner over its socket (a real `cohort run --no-wait` of a waiting task owns the
 * run), the same launcher with the socket absent (the client falls back to the Node CLI), and the Node
 * CLI's lean entry without the client (as before the socket). Then the owner's CPU per answered call,
 * and where the CPU of the Node add goes beyond Node's start, from `process.cpuUsage()` at each step of
 * one process (medians), and whole runs whose tasks call it (in-job-run-level.ts). Wall and CPU (user + system of the process and its children, bash's `times`)
 * are both given: the machine is shared, and its load average is noted.
 */
const WORK = fileURLToPath(new URL('./.work/in-job-add/', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../dist/cli/lean-cli.bundle.js', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const SQLITE = createRequire(import.meta.url).resolve('better-sqlite3');
const REPEATS = Number(process.env.BENCH_ADD_REPEATS ?? 21);
const RUN_TASKS = Number(process.env.BENCH_ADD_RUN_TASKS ?? 100);
const RUN_REPEATS = Number(process.env.BENCH_ADD_RUN_REPEATS ?? 2);

interface Timed {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** Runs `argv` through bash (as data, "$@") and reads its children's CPU time from `times`. */
function timed(argv: readonly string[], env: NodeJS.ProcessEnv): Timed {
  const started = performance.now();
  const run = spawnSync('bash', ['-c', '"$@" >/dev/null || exit 1; times', 'bench', ...argv], {
    encoding: 'utf8',
    env,
  });
  const wallMs = performance.now() - started;
  if (run.status !== 0) throw new Error(`${argv.join(' ')} failed: ${run.stderr}`);
  const children = run.stdout.trim().split('\n').at(-1) ?? '';
  const cpuMs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (sum, m) => sum + (Number(m[1]) * 60 + Number(m[2])) * 1000,
    0,
  );
  return { wallMs, cpuMs };
}

/** One process doing the add's steps by hand, printing the CPU ms after each (JSON). */
const STEPS_SCRIPT = `
const c0 = process.cpuUsage();
const at = () => { const u = process.cpuUsage(c0); return (u.user + u.system) / 1000; };
const boot = process.cpuUsage(); const steps = { boot: (boot.user + boot.system) / 1000 };
const { createRequire } = await import('node:module');
const Database = createRequire(import.meta.url)(process.env.SQLITE);
steps.loadSqlite = at();
const db = new Database(process.env.DB, { timeout: 5000 });
db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL');
db.prepare('SELECT version FROM schema_migrations').pluck().all();
steps.openCatalog = at();
await import(process.env.BUNDLE);
steps.loadBundle = at();
db.close();
steps.close = at();
console.log(JSON.stringify(steps));
`;

type Steps = Record<'boot' | 'loadSqlite' | 'openCatalog' | 'loadBundle' | 'close', number>;

/** CPU ms a process has used so far (utime + stime of /proc/PID/stat, in clock ticks of 10 ms). */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function runInJobAddBench(): void {
  const load = [loadavg()[0] ?? 0];
  const task = makeInJobTask(WORK);
  const { home, shim, env, output } = task;
  const owned = startOwnedRun(task, WORK);
  const db = join(home, 'cohort.db');
  const openOnly = `const D = require(${JSON.stringify(SQLITE)}); new D(${JSON.stringify(db)}).prepare('SELECT 1 FROM projects').get();`;
  const add = ['add', output, '--tag', 'bench'];
  const absent = { ...owned.env, COHORT_SOCKET: join(WORK, 'no-such.sock') };
  const commands: Record<string, { argv: string[]; env: NodeJS.ProcessEnv }> = {
    bash: { argv: ['bash', '-c', 'true'], env },
    node: { argv: [process.execPath, '-e', '0'], env },
    sqlite: { argv: [process.execPath, '-e', openOnly], env },
    fast: { argv: [shim, ...add], env: owned.env },
    fallback: { argv: [shim, ...add], env: absent },
    lean: { argv: [process.execPath, CLI, ...add], env },
    // The client's own part of a fallback: its start, the failed connect, an exec (of `true`, not Node).
    clientOnly: { argv: [cohortClientPath(), '/bin/true', CLI, ...add], env: absent },
  };
  const runs: Record<string, Timed[]> = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  const steps: Steps[] = [];
  const stepsEnv = { ...process.env, SQLITE, DB: db, BUNDLE };
  // The owner's CPU while idle (its polls of the run), then over the repeats: the difference per call.
  const idleStart = processCpuMs(owned.ownerPid);
  const idleWall = performance.now();
  spawnSync('sleep', ['3']);
  const idleRate = (processCpuMs(owned.ownerPid) - idleStart) / (performance.now() - idleWall);
  const ownerStart = processCpuMs(owned.ownerPid);
  const ownerWall = performance.now();
  try {
    for (let i = 0; i < REPEATS; i++) {
      for (const [name, { argv, env: commandEnv }] of Object.entries(commands))
        runs[name]!.push(timed(argv, commandEnv));
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', STEPS_SCRIPT], {
        encoding: 'utf8',
        env: stepsEnv,
      });
      steps.push(JSON.parse(run.stdout) as Steps);
    }
  } finally {
    owned.release();
  }
  const ownerMs = processCpuMs(owned.ownerPid) - ownerStart - idleRate * (performance.now() - ownerWall);
  const ownerPerCall = Math.max(0, ownerMs) / REPEATS;
  load.push(loadavg()[0] ?? 0);
  const level = timeRunsWithAdds(WORK, home, RUN_TASKS, RUN_REPEATS);
  const perTask = (wall: number): string => `+${((wall - level.none) / level.tasks).toFixed(1)} ms`;
  load.push(loadavg()[0] ?? 0);
  const med = (name: string, key: keyof Timed): number => median(runs[name]!.map((t) => t[key]));
  const step = (key: keyof Steps): number => median(steps.map((s) => s[key]));
  const row = (label: string, name: string): string =>
    `| ${label} | ${ms(med(name, 'wallMs'))} | ${ms(med(name, 'cpuMs'))} |`;
  const text = `## In-job \`cohort add\` (issue 18 item 2)

\`bench/in-job-add-bench.ts\`: \`cohort add FILE --tag t\` through the job's \`cohort\` launcher in a task's
environment, whole processes alternated with their floors in each of ${REPEATS} repeats, medians (target:
under 80 ms). Each is started by a \`bash -c\` that reads its CPU time (\`times\`), in the wall time too.
Machine: ${machineLine()}; load average ${load.map((l) => l.toFixed(1)).join(' → ')}.

| command | wall | CPU |
|---|---|---|
${row('`bash -c true`', 'bash')}
${row('`node -e 0`', 'node')}
${row('Node opening the catalog (better-sqlite3, one row)', 'sqlite')}
${row("`cohort add`, answered by the run's owner over its socket", 'fast')}
${row('`cohort add`, socket absent: the client falls back to the Node CLI', 'fallback')}
${row('`cohort add` by the Node CLI alone (lean entry, as before the socket)', 'lean')}

The socket's CPU column is the client's and its \`/bin/sh\` launcher's only: the run's owner (a
background \`cohort resume\`, already running) spent ${ownerPerCall.toFixed(1)} ms of CPU per answered add (its
CPU over the repeats less its idle polling, /proc ticks of 10 ms). A fallback costs the Node CLI's
add plus the launcher's \`/bin/sh\` and the client's own part: started with \`/bin/true\` in place of
Node and the socket absent, the client takes ${ms(med('clientOnly', 'wallMs'))} of wall and ${ms(med('clientOnly', 'cpuMs'))} of CPU (start, failed connect,
\`exec\`). The two Node rows differ by ${ms(med('fallback', 'wallMs') - med('lean', 'wallMs'))} of wall and ${ms(med('fallback', 'cpuMs') - med('lean', 'cpuMs'))} of CPU: Node's start, most
of either, varies more than that with the load.

Whole \`cohort run\`s of ${level.tasks} one-job studies on the local executor (a slot per CPU), the three alternated in
each of ${level.repeats} repeats, medians (\`bench/in-job-run-level.ts\`; the last load average above is after these):

| each task | run | per task |
|---|---|---|
| writes its output (the engine registers it) | ${ms(level.none)} | |
| and calls \`cohort add "$o1" --tag t\` (the run's owner answers) | ${ms(level.socket)} | ${perTask(level.socket)} |
| and the same with \`COHORT_SOCKET=\` (the Node CLI) | ${ms(level.node)} | ${perTask(level.node)} |

Where the CPU of the Node CLI's add goes (one process doing its steps, medians, ms of CPU):
${[
  `Node's start ${step('boot').toFixed(0)}`,
  `loading better-sqlite3 ${step('loadSqlite').toFixed(1)}`,
  `opening the catalog with the schema check ${(step('openCatalog') - step('loadSqlite')).toFixed(1)}`,
  `loading the lean bundle ${(step('loadBundle') - step('openCatalog')).toFixed(1)}`,
  `closing ${(step('close') - step('loadBundle')).toFixed(1)}`,
].join(', ')}.`;
  console.log(text);
  writeSection('in-job-add', text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) runInJobAddBench();
