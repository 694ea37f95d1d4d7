import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config/resolve-config.js';
import { cohortShimDir, taskVariables } from '../src/runs/task-environment.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** What a job sees: its `cohort` launcher, its environment, and an output file to register. */
export interface InJobTask {
  readonly home: string;
  readonly shim: string;
  readonly env: NodeJS.ProcessEnv;
  readonly output: string;
}

/**
 * A one-study catalog under `dir` (made anew) and the environment of a task of it, as the runner gives
 * one, for timing in-job commands (`cohort add`) as whole processes.
 */
export function makeInJobTask(dir: string): InJobTask {
  rmSync(dir, { recursive: true, force: true });
  const root = join(dir, 'root');
  const study = join(root, 'P001', '20200101', 't1');
  mkdirSync(study, { recursive: true });
  const home = join(dir, 'home');
  const created = spawnSync(process.execPath, [CLI, 'create', 'bench', root], {
    env: { ...process.env, COHORT_HOME: home },
    encoding: 'utf8',
  });
  if (created.status !== 0) throw new Error(`cohort create failed: ${created.stderr}`);
  const config = resolveConfig({ home }, {});
  const env = {
    ...process.env,
    ...taskVariables(config, { project: 'bench', item: 'P001#20200101', study: 'P001#20200101', taskId: 1 }),
  };
  const output = join(study, 'mask.nii');
  writeFileSync(output, 'mask\n');
  return { home, shim: join(cohortShimDir(config), 'cohort'), env, output };
}
