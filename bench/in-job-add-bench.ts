import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine, median, ms } from './measure.js';
import { writeSection } from './write-results.js';
import { makeInJobTask } from './in-job-task.js';

/**
 * Issue 18 item 2: `cohort add FILE --tag t` as a job calls it (the job's `cohort` launcher on PATH, the
 * task's variables set), whole processes, alternated with its floors in each repeat, medians:
 * `bash -c true`, `node -e 0` (Node's own start) and a Node process that only opens the catalog with
 * better-sqlite3 and reads one row (the least any Node client of the catalog does). Then where the CPU
 * of the add goes beyond Node's start, from `process.cpuUsage()` at each step of one process (medians).
 * Wall and CPU (user + system of the process and its children, bash's `times`) are both given: the
 * machine is shared, and its load average is noted.
 */
const WORK = fileURLToPath(new URL('./.work/in-job-add/', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../dist/cli/lean-cli.bundle.js', import.meta.url));
const SQLITE = createRequire(import.meta.url).resolve('better-sqlite3');
const REPEATS = Number(process.env.BENCH_ADD_REPEATS ?? 21);

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

export function runInJobAddBench(): void {
  const load = [loadavg()[0] ?? 0];
  const { home, shim, env, output } = makeInJobTask(WORK);
  const db = join(home, 'cohort.db');
  const openOnly = `const D = require(${JSON.stringify(SQLITE)}); new D(${JSON.stringify(db)}).prepare('SELECT 1 FROM projects').get();`;
  const commands: Record<string, string[]> = {
    bash: ['bash', '-c', 'true'],
    node: [process.execPath, '-e', '0'],
    sqlite: [process.execPath, '-e', openOnly],
    add: [shim, 'add', output, '--tag', 'bench'],
  };
  const runs: Record<string, Timed[]> = { bash: [], node: [], sqlite: [], add: [] };
  const steps: Steps[] = [];
  const stepsEnv = { ...process.env, SQLITE, DB: db, BUNDLE };
  for (let i = 0; i < REPEATS; i++) {
    for (const [name, argv] of Object.entries(commands)) runs[name]!.push(timed(argv, env));
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', STEPS_SCRIPT], {
      encoding: 'utf8',
      env: stepsEnv,
    });
    steps.push(JSON.parse(run.stdout) as Steps);
  }
  load.push(loadavg()[0] ?? 0);
  const med = (name: string, key: keyof Timed): number => median(runs[name]!.map((t) => t[key]));
  const step = (key: keyof Steps): number => median(steps.map((s) => s[key]));
  const row = (label: string, name: string): string =>
    `| ${label} | ${ms(med(name, 'wallMs'))} | ${ms(med(name, 'cpuMs'))} |`;
  const text = `## In-job \`cohort add\` (issue 18 item 2)

\`bench/in-job-add-bench.ts\`: \`cohort add FILE --tag t\` through the job's \`cohort\` launcher in a task's
environment, whole processes alternated with their floors in each of ${REPEATS} repeats, medians (target:
under 80 ms). Machine: ${machineLine()}; load average ${load.map((l) => l.toFixed(1)).join(' → ')}.

| command | wall | CPU |
|---|---|---|
${row('`bash -c true`', 'bash')}
${row('`node -e 0`', 'node')}
${row('Node opening the catalog (better-sqlite3, one row)', 'sqlite')}
${row('`cohort add` (lean entry, one bundled file)', 'add')}

Where the CPU goes (one process doing the add's steps, medians, ms of CPU):
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
