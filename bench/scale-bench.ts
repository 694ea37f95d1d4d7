import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeSyntheticTree } from './synthetic-tree.js';
import { machineLine, median, ms, ratio } from './measure.js';
import { writeSection } from './write-results.js';
import { makeInJobTask, startOwnedRun } from './in-job-task.js';

/**
 * Issue 18 figures, whole processes (Node's start-up and module loading included), each beside its peer
 * in the same run, alternated, medians:
 * - `cohort create` and a no-change `cohort rescan` against `find ROOT | wc -l`, for trees of
 *   SUBJECTS × 3 studies × 4 series × 2 files (BENCH_SCALE_SUBJECTS, default 2500,10000,40000);
 * - `cohort add` as a job gets it: the job's `cohort` launcher, in the environment of a task of a live
 *   run, so the native client reaches the run's owner over its socket (checked before timing), against
 *   `bash -c true` and `node -e 0`, and the whole CLI's start (`cohort --help`) for reference.
 * BENCH_SCALE_PARTS (default `add,index`) picks the parts; each writes its own section.
 * Each time is wall clock; the CPU time (user + system, from bash's `times`) is given too, as the
 * machine is shared and its load average is noted.
 */
const WORK = fileURLToPath(new URL('./.work/', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const SUBJECTS = (process.env.BENCH_SCALE_SUBJECTS ?? '2500,10000,40000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
// A million-file tree takes a minute per create on a loaded machine: fewer repeats there.
const LARGE_REPEATS = Number(process.env.BENCH_LARGE_REPEATS ?? 3);
const LARGE_FILES = 500_000;
const ADD_REPEATS = Number(process.env.BENCH_ADD_REPEATS ?? 21);
const PARTS = (process.env.BENCH_SCALE_PARTS ?? 'add,index').split(',');
const SHAPE = { studiesPerSubject: 3, seriesPerStudy: 4, filesPerSeries: 2 } as const;

interface Timed {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** Runs `argv` through bash (as data, "$@") and reads its children's CPU time from `times`. */
function timed(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Timed {
  const script = '"$@" >/dev/null || exit 1; times';
  const started = performance.now();
  const run = spawnSync('bash', ['-c', script, 'bench', ...argv], { encoding: 'utf8', env });
  const wallMs = performance.now() - started;
  if (run.status !== 0) throw new Error(`${argv.join(' ')} failed: ${run.stderr}`);
  // `times` prints the shell's user/system times, then its children's: "0m0.123s 0m0.045s".
  const children = run.stdout.trim().split('\n').at(-1) ?? '';
  const cpuMs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (sum, m) => sum + (Number(m[1]) * 60 + Number(m[2])) * 1000,
    0,
  );
  return { wallMs, cpuMs };
}

const FIND = (root: string): string[] => ['bash', '-c', 'find "$1" | wc -l', 'find', root];

interface SizeResult {
  readonly subjects: number;
  readonly files: number;
  readonly repeats: number;
  readonly find: Timed;
  readonly create: Timed;
  readonly rescan: Timed;
}

const med = (runs: readonly Timed[]): Timed => ({
  wallMs: median(runs.map((r) => r.wallMs)),
  cpuMs: median(runs.map((r) => r.cpuMs)),
});

function indexSize(subjects: number): SizeResult {
  const root = join(WORK, `scale-${subjects}`);
  const files = makeSyntheticTree(root, { subjects, ...SHAPE });
  timed(FIND(root)); // the dentry cache warmed once for everybody
  const finds: Timed[] = [];
  const creates: Timed[] = [];
  const rescans: Timed[] = [];
  const repeats = files >= LARGE_FILES ? Math.min(LARGE_REPEATS, REPEATS) : REPEATS;
  for (let i = 0; i < repeats; i++) {
    const home = join(WORK, `scale-home-${subjects}`);
    rmSync(home, { recursive: true, force: true });
    const env = { ...process.env, COHORT_HOME: home };
    finds.push(timed(FIND(root)));
    creates.push(timed([process.execPath, CLI, 'create', 'bench', root], env));
    finds.push(timed(FIND(root)));
    rescans.push(timed([process.execPath, CLI, 'rescan'], env));
  }
  return { subjects, files, repeats, find: med(finds), create: med(creates), rescan: med(rescans) };
}

interface AddResult {
  readonly bash: Timed;
  readonly node: Timed;
  readonly add: Timed;
  readonly help: Timed;
}

/**
 * `cohort add` as a task of a live run calls it: the job's launcher on PATH, the task's variables and
 * the run's socket and credential set. (Before, the task had no socket: the row timed the Node fallback.)
 */
function inJobAdd(): AddResult {
  const dir = join(WORK, 'scale-add');
  const task = makeInJobTask(dir);
  const owned = startOwnedRun(task, dir);
  const { shim, env, output } = task;
  const add = [shim, 'add', output, '--tag', 'bench'];
  const runs: Record<keyof AddResult, Timed[]> = { bash: [], node: [], add: [], help: [] };
  try {
    const check = spawnSync(add[0] as string, add.slice(1), {
      env: { ...owned.env, COHORT_CLIENT_TRACE: '1' },
      encoding: 'utf8',
    });
    if (!check.stderr.includes("answered by the run's owner"))
      throw new Error(`the in-job add did not reach the run's owner: ${check.stderr}`);
    for (let i = 0; i < ADD_REPEATS; i++) {
      runs.bash.push(timed(['bash', '-c', 'true'], env));
      runs.node.push(timed([process.execPath, '-e', '0'], env));
      runs.add.push(timed(add, owned.env));
      runs.help.push(timed([shim, '--help'], env));
    }
  } finally {
    owned.release();
  }
  return { bash: med(runs.bash), node: med(runs.node), add: med(runs.add), help: med(runs.help) };
}

/** Two table cells: wall time and CPU time, each with its ratio to the peer's. */
const both = (t: Timed, peer: Timed): string =>
  `${ms(t.wallMs)} (${ratio(t.wallMs / peer.wallMs)}) | ${ms(t.cpuMs)} (${ratio(t.cpuMs / peer.cpuMs)})`;

export function runScaleBench(): void {
  // The short commands first: after walking a million files, every spawn of this process (even
  // `bash -c true`) was measured 50 times slower.
  if (PARTS.includes('add')) writeAddSection();
  if (PARTS.includes('index')) writeIndexSection();
}

function writeAddSection(): void {
  const loads: number[] = [loadavg()[0] ?? 0];
  const add = inJobAdd();
  loads.push(loadavg()[0] ?? 0);
  console.log(JSON.stringify(add));
  const text = `## Scale (issue 18): in-job \`cohort add\`

\`bench/scale-bench.ts\`: \`cohort add FILE --tag t\` as a job runs it, through the job's \`cohort\` launcher in
the environment of a task of a live run (a background \`cohort resume\` owns it): the native client
sends the command over the run's socket and the owner answers (checked once before timing). Whole
processes alternated with their peers, medians of ${ADD_REPEATS} (target: under 80 ms).
Machine: ${machineLine()}; load average ${loads.map((l) => l.toFixed(1)).join(' → ')}.

| command | wall | CPU |
|---|---|---|
| \`bash -c true\` | ${ms(add.bash.wallMs)} | ${ms(add.bash.cpuMs)} |
| \`node -e 0\` | ${ms(add.node.wallMs)} | ${ms(add.node.cpuMs)} |
| \`cohort add\` (native client, answered by the run's owner) | ${ms(add.add.wallMs)} | ${ms(add.add.cpuMs)} |
| \`cohort --help\` (the whole CLI's start) | ${ms(add.help.wallMs)} | ${ms(add.help.cpuMs)} |

The CPU column is the launcher's and the client's: the owner's share of an answer is in
"In-job \`cohort add\`" (\`bench/in-job-add-bench.ts\`), with the Node fallback's cost.`;
  console.log(text);
  writeSection('scale-in-job-add', text);
}

function writeIndexSection(): void {
  const loads: number[] = [loadavg()[0] ?? 0];
  const sizes: SizeResult[] = [];
  for (const subjects of SUBJECTS) {
    sizes.push(indexSize(subjects));
    loads.push(loadavg()[0] ?? 0);
    console.log(JSON.stringify(sizes.at(-1)));
  }
  const indexRows = sizes.map(
    (s) =>
      `| ${s.subjects.toLocaleString('en')} | ${s.files.toLocaleString('en')} | ${ms(s.find.wallMs)} / ${ms(s.find.cpuMs)} | ${both(s.create, s.find)} | ${both(s.rescan, s.find)} |`,
  );
  // Growth per doubling of subjects: each step's time ratio to the power 1 / log2(its size ratio).
  const growth = sizes.slice(1).map((s, i) => {
    const before = sizes[i] as SizeResult;
    const k = Math.log2(s.subjects / before.subjects);
    const step = (a: number, b: number): number => (b / a) ** (1 / k);
    return `| ${before.subjects.toLocaleString('en')} → ${s.subjects.toLocaleString('en')} | ${step(before.find.wallMs, s.find.wallMs).toFixed(2)} | ${step(before.create.wallMs, s.create.wallMs).toFixed(2)} | ${step(before.rescan.wallMs, s.rescan.wallMs).toFixed(2)} |`;
  });
  const text = `## Scale (issue 18)

\`bench/scale-bench.ts\`, whole processes (Node's start-up and module loading included), each beside its
peer in the same run, alternated, medians of ${sizes.map((s) => s.repeats).join(' / ')} (by size); the in-job
\`cohort add\` has its own section below.
Machine: ${machineLine()}; load average ${loads.map((l) => l.toFixed(1)).join(', ')} (start, after each
part: the machine is shared, so CPU time, user + system, is given beside the wall time).

Indexing: SUBJECTS × 3 studies × 4 series × 2 files; \`cohort create\` into a fresh catalog, then a
no-change \`cohort rescan\`, each against \`find ROOT | wc -l\` (targets: create within 3×, rescan within 2×).

| subjects | files | find: wall / CPU | create: wall (ratio) | create: CPU (ratio) | rescan: wall (ratio) | rescan: CPU (ratio) |
|---|---|---|---|---|---|---|
${indexRows.join('\n')}

Growth of the wall time per doubling of subjects (2.00 is linear, 4.00 quadratic):

| subjects | find | create | rescan |
|---|---|---|---|
${growth.join('\n')}`;
  console.log(text);
  writeSection('scale', text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) runScaleBench();
