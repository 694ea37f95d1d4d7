import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { writeLabelledHeads } from '../src/demo/labelled-heads.js';
import { machineLine, median } from './measure.js';
import { writeSection } from './write-results.js';

// Issue 14's speed work: the patchwork scripts of a git revision (before) against the working tree's
// (after), as whole processes, alternated, medians, into the patchwork-speed section of docs/benchmarks.md. PATCHWORK_BEFORE_REV (default 01b80f6, the last commit before the
// speed work), PATCHWORK_SPEED_ROUNDS (default 3), PATCHWORK_SPEED_ITERATIONS (default 10).

const PYTHON = '/usr/bin/python3';
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const AFTER = join(ROOT, 'library/segmentation');
const WORK = fileURLToPath(new URL('./.work/patchwork-speed/', import.meta.url));
const REV = process.env.PATCHWORK_BEFORE_REV ?? '01b80f6';
const ROUNDS = Number(process.env.PATCHWORK_SPEED_ROUNDS ?? 3);
const ITERATIONS = Number(process.env.PATCHWORK_SPEED_ITERATIONS ?? 10);
const SCRIPTS = ['patchwork_common.py', 'patchwork_data.py', 'patchwork_patches.py', 'patchwork_net.py'];

/** The library's Python scripts at `rev`, written into a folder. */
function scriptsAt(rev: string): string {
  const folder = join(WORK, `scripts-${rev}`);
  mkdirSync(folder, { recursive: true });
  for (const name of [...SCRIPTS, 'patchwork_train.py', 'patchwork_apply.py', 'loss_plot.py']) {
    const shown = spawnSync('git', ['show', `${rev}:library/segmentation/${name}`], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (shown.status !== 0) throw new Error(`git show ${rev}:${name}: ${shown.stderr}`);
    writeFileSync(join(folder, name), shown.stdout);
  }
  return folder;
}

/** Wall seconds of a script run with `threads` torch threads. */
function run(
  folder: string,
  script: string,
  args: readonly string[],
  threads: number,
): { s: number; out: string } {
  const started = performance.now();
  const done = spawnSync(PYTHON, [join(folder, script), ...args], {
    encoding: 'utf8',
    env: { ...process.env, COHORT_THREADS: String(threads) },
    maxBuffer: 1 << 26,
  });
  if (done.status !== 0) throw new Error(`${script} failed: ${done.stderr}`);
  return { s: (performance.now() - started) / 1000, out: done.stdout };
}

const before = scriptsAt(REV);
rmSync(join(WORK, 'heads'), { recursive: true, force: true });
const heads = writeLabelledHeads(join(WORK, 'heads'), {
  subjects: 6,
  dims: [64, 64, 48],
  voxel: [3, 3.5, 3.5],
});
const list = join(WORK, 'train.json');
writeFileSync(
  list,
  JSON.stringify({
    studies: heads.slice(0, 5).map((h) => ({ id: h.pid, contrasts: [h.t1], labels: [h.labels] })),
  }),
);
const held = heads[5]!.t1;
const variants = [
  { name: `before (${REV})`, folder: before, threads: 1 },
  { name: 'after, 1 thread', folder: AFTER, threads: 1 },
  { name: 'after, 2 threads', folder: AFTER, threads: 2 },
];
const train: number[][] = variants.map(() => []);
const apply: number[][] = variants.map(() => []);
const loads: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  variants.forEach((v, i) => {
    const model = join(WORK, `model-${i}`);
    rmSync(model, { recursive: true, force: true });
    loads.push(loadavg()[0] ?? NaN);
    const t = run(
      v.folder,
      'patchwork_train.py',
      [
        '--model',
        model,
        '--list',
        list,
        '--iterations',
        String(ITERATIONS),
        '--scheme',
        `epoch=${ITERATIONS}`,
      ],
      v.threads,
    );
    train[i]!.push(t.s / ITERATIONS);
    const out = join(WORK, `out-${i}.nii.gz`);
    const a = run(
      v.folder,
      'patchwork_apply.py',
      [
        '--model',
        join(model, 'model_patchwork.json'),
        '--contrasts',
        held,
        '--output',
        out,
        '--provenance',
        `${out}.json`,
      ],
      v.threads,
    );
    apply[i]!.push(a.s);
    console.error(
      `round ${round + 1} ${v.name}: ${(t.s / ITERATIONS).toFixed(2)} s/iteration, apply ${a.s.toFixed(1)} s`,
    );
  });
}
const rows = variants.map(
  (v, i) => `| ${v.name} | ${median(train[i]!).toFixed(2)} s | ${median(apply[i]!).toFixed(1)} s |`,
);
const table = `${machineLine()}, load average ${Math.min(...loads).toFixed(0)}-${Math.max(...loads).toFixed(0)}; ${ROUNDS} rounds, medians; default scheme, 64 × 64 × 48 heads; training: ${ITERATIONS} iterations as one process (loading and one epoch save included), per iteration

| scripts | wall per training iteration | apply one volume (process) |
| ------- | --------------------------- | -------------------------- |
${rows.join('\n')}`;
console.log(table);
writeSection(
  'patchwork-speed',
  `## Patchwork speed (issue 14): before and after

\`bench/patchwork-speed-bench.ts\`: the patchwork scripts of ${REV} against the working tree's. ${table}`,
);
const docs = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
writeFileSync(
  docs,
  await format(readFileSync(docs, 'utf8'), { ...(await resolveConfig(docs)), parser: 'markdown' }),
);
