import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alternate } from './alternate.js';
import { freshWorkFolder } from './fresh-work.js';
import { machineLine, median, ms, ratio } from './measure.js';
import { timeTree } from './time-tree.js';
import { writeSection } from './write-results.js';

/**
 * The floor of the local runner's present protocol (issue 18): what 1,000 tasks cost when Node does
 * nothing but write each task's folder and `launch` file and hand it to the native launcher, beside
 * `xargs -P <cores>` of the same `bash -c true`, alternated, whole processes under the subreaper
 * harness. If this floor is already near 1.5× `xargs`, no cut in the runner's bookkeeping (catalog,
 * provenance, scheduler) reaches issue 18's target while a task keeps a folder of its own.
 */
const WORK = fileURLToPath(new URL('./.work/launcher-floor/', import.meta.url));
const CHILD = fileURLToPath(new URL('./launcher-floor-child.mjs', import.meta.url));
const TASKS = Number(process.env.BENCH_FLOOR_TASKS ?? 1000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 7);
const CORES = availableParallelism();
const load = (): string => loadavg()[0]!.toFixed(1);

export function runLauncherFloorBench(): void {
  const deleteLast = freshWorkFolder(WORK);
  writeFileSync(join(WORK, 'list'), 'true\0'.repeat(TASKS));
  const clean = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: WORK, LANG: 'C.UTF-8' };
  const nodeStart: number[] = [];
  const loadBefore = load();
  const runs = alternate(
    REPEATS,
    ['floor', 'xargs'],
    (r) => {
      const dir = join(WORK, `run-${r}`);
      mkdirSync(dir);
      return timeTree(process.execPath, [CHILD, dir, String(TASKS), String(CORES)], clean);
    },
    () =>
      timeTree(
        'bash',
        ['-c', 'xargs -0 -P "$2" -n 1 bash -c < "$1"', 'x', join(WORK, 'list'), String(CORES)],
        clean,
      ),
    () => {
      nodeStart.push(timeTree(process.execPath, ['-e', '0'], clean).ms);
      return `load ${load()}`;
    },
  );
  deleteLast();
  const text = `## The local runner's floor (issue 18)

\`bench/launcher-floor.ts\`: ${TASKS} tasks \`bash -c true\`, ${CORES} slots. The floor is one Node process that
only makes each task's folder and \`launch\` file and hands it to the native launcher (\`Launcher\` of the
local executor), 32 at a time as the runner creates a large run in chunks: no catalog, no scheduler, no
states, no chains, timed whole with the launcher and its
tasks (\`bench/cpu-tree.py\`); \`xargs -P ${CORES}\` runs the same commands; the two alternate, ${REPEATS} repeats,
medians. Machine: ${machineLine()}, load average ${loadBefore} at the start and ${load()} at the end.

| | wall time | CPU of the whole tree |
|---|---|---|
| floor: folders, \`launch\` files and the native launcher | ${ms(runs.median('ours', 'ms'))} | ${ms(runs.median('ours', 'cpuMs'))} |
| \`xargs -P ${CORES}\` | ${ms(runs.median('peer', 'ms'))} | ${ms(runs.median('peer', 'cpuMs'))} |
| \`node -e 0\` (Node's start and exit) | ${ms(median(nodeStart))} | |

The floor takes ${ratio(median(runs.ratios))} the time of \`xargs\` (median of the ratios within each repeat).`;
  console.log(text);
  writeSection('launcher-floor', text);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1])
  runLauncherFloorBench();
