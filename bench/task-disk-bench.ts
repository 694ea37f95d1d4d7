import { readdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine, timeCommand } from './measure.js';
import { writeSection } from './write-results.js';
import { deleteWorkFolder } from './fresh-work.js';

/**
 * Issue 18 item 3: what a finished task leaves on disk, right after its run and after retention
 * (`cohort gc`), on the demo's two-job batch (examples/demo-qc.json) over 20 subjects.
 */
const WORK = fileURLToPath(new URL('./.work/task-disk/', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const BATCH = fileURLToPath(new URL('../examples/demo-qc.json', import.meta.url));

interface Usage {
  readonly inodes: number;
  readonly bytes: number;
}

/** Inodes and allocated bytes (blocks, as `du` counts them) of a tree. */
function usage(path: string): Usage {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return { inodes: 0, bytes: 0 };
  const own = { inodes: 1, bytes: stat.blocks * 512 };
  if (!stat.isDirectory()) return own;
  return readdirSync(path)
    .map((name) => usage(join(path, name)))
    .reduce((a, b) => ({ inodes: a.inodes + b.inodes, bytes: a.bytes + b.bytes }), own);
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** How many `launch` files of folders not compacted yet (compaction empties them) a tree holds. */
function launchFiles(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat?.isDirectory() !== true) return path.endsWith('/launch') && (stat?.size ?? 0) > 0 ? 1 : 0;
  return readdirSync(path).reduce((n, name) => n + launchFiles(join(path, name)), 0);
}

export function runTaskDiskBench(): void {
  const load = [loadavg()[0] ?? 0];
  deleteWorkFolder(WORK);
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: WORK, COHORT_HOME: join(WORK, 'home') };
  timeCommand(process.execPath, [CLI, 'demo'], env);
  const run = timeCommand(process.execPath, [CLI, 'run', BATCH, '--json'], env);
  const report = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { done?: number };
  const tasks = report.done ?? 0;
  if (tasks === 0) throw new Error('the demo run finished no task');
  const runs = join(WORK, 'home', 'runs');
  // The native launcher compacts the ended folders after `cohort run` has answered: count once it did.
  for (let i = 0; i < 100 && launchFiles(runs) > 0; i++) Atomics.wait(PAUSE, 0, 0, 50);
  const after = usage(runs);
  timeCommand(process.execPath, [CLI, 'gc', '--days', '0'], env);
  const retained = usage(runs);
  load.push(loadavg()[0] ?? 0);
  const per = (u: Usage): string =>
    `${(u.inodes / tasks).toFixed(1)} inodes, ${(u.bytes / tasks / 1024).toFixed(1)} KiB`;
  const text = `## Task folders on disk (issue 18)

\`bench/task-disk-bench.ts\`: the demo's two-job batch over 20 subjects (${tasks} successful tasks), the whole
runs folder counted (task folders, run folder, runner files). Machine: ${machineLine()}; load average
${load.map((l) => l.toFixed(1)).join(' → ')}.

| when | per finished task |
|---|---|
| right after the run (ended tasks keep their job files, their logs and an emptied \`launch\`) | ${per(after)} |
| after \`cohort gc\` with retention 0 days (the default rule keeps 30) | ${per(retained)} |

Before issue 18 a task left 7 inodes (its folder, \`launch\`, \`pid\`, \`exit\`, its script and two logs)
and about 20 KiB, and nothing removed them. The local launcher appends the pid and exit records to the
task's \`launch\` file (two files fewer). Compaction empties \`launch\` (its block, the task's
environment and job token) and removes no file every task has: on ext4 without a journal each inode
freed in the last minute slows every new file's allocation, and unlinking \`launch\` and the empty logs
of a 1,000-task run made the next run's file creations up to twice as slow (docs/benchmarks.md,
"Runner: reports in batches, and no unlinks at a run's end"). Retention removes whole folders.`;
  console.log(text);
  writeSection('task-disk', text);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) runTaskDiskBench();
