import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './measure.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** Wall ms of a whole `cohort run` whose every task writes its output, and adds it (or not). */
export interface RunLevelTimes {
  readonly tasks: number;
  readonly repeats: number;
  /** The task writes its output only (the engine registers it after the task). */
  readonly none: number;
  /** The task also calls `cohort add "$o1" --tag t`, answered by the run's owner. */
  readonly socket: number;
  /** The same with COHORT_SOCKET emptied: the job's `cohort` starts the Node CLI. */
  readonly node: number;
}

const VARIANTS = {
  none: 'echo x > "$o1"',
  socket: 'echo x > "$o1"; cohort add "$o1" --tag t',
  node: 'echo x > "$o1"; COHORT_SOCKET= cohort add "$o1" --tag t',
} as const;

/**
 * Whole `cohort run`s of `tasks` one-job studies on the local executor (its default slots), the three
 * variants alternated in each repeat, medians: what a job's `cohort add` adds to a run, both ways.
 * Makes a project `runs` with its own root under `dir` in the catalog of `home`.
 */
export function timeRunsWithAdds(dir: string, home: string, tasks: number, repeats: number): RunLevelTimes {
  const root = join(dir, 'runs-root');
  for (let i = 0; i < tasks; i++) {
    const study = join(root, `S${String(i).padStart(5, '0')}`, '20200101', 't1');
    mkdirSync(study, { recursive: true });
    writeFileSync(join(study, 'a.nii'), 'a');
  }
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('COHORT_'))),
    COHORT_HOME: home,
  };
  const cohort = (args: readonly string[]): void => {
    const run = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`cohort ${args.join(' ')} failed: ${run.stderr}`);
  };
  cohort(['create', 'runs', root]);
  const times: Record<keyof typeof VARIANTS, number[]> = { none: [], socket: [], node: [] };
  for (const [name, script] of Object.entries(VARIANTS)) {
    const batch = {
      name,
      level: 'study',
      jobs: [
        {
          name,
          language: 'bash',
          script,
          args: [{ type: 'OUT', name: 'o1', path: 'out/o.nii', ref: { kind: 'current' } }],
        },
      ],
    };
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(batch));
  }
  for (let r = 0; r < repeats; r++) {
    for (const name of Object.keys(VARIANTS) as (keyof typeof VARIANTS)[]) {
      const started = performance.now();
      cohort(['run', join(dir, `${name}.json`), '*', '--project', 'runs']);
      times[name].push(performance.now() - started);
    }
  }
  return {
    tasks,
    repeats,
    none: median(times.none),
    socket: median(times.socket),
    node: median(times.node),
  };
}
