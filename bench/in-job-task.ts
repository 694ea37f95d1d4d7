import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** A run that owns a waiting task of the fixture's catalog, and the task environment that reaches it. */
export interface OwnedRun {
  /** The fixture's task environment plus the run's COHORT_TOKEN and COHORT_SOCKET. */
  readonly env: NodeJS.ProcessEnv;
  /** The process that owns the run (a background `cohort resume`), answering the socket. */
  readonly ownerPid: number;
  /** Lets the task end; the owner then closes the socket and exits. */
  release(): void;
}

/**
 * Starts a real run (`cohort run --no-wait`: a background runner owns it) of one task that hands its
 * environment over and waits, so that in-job commands can be timed against a live run owner.
 */
export function startOwnedRun(task: InJobTask, dir: string): OwnedRun {
  const handoff = join(dir, 'handoff');
  mkdirSync(handoff, { recursive: true });
  const batch = join(dir, 'wait.json');
  const script = `env | grep '^COHORT_' > "$HANDOFF/env.tmp" && mv "$HANDOFF/env.tmp" "$HANDOFF/env"
while [ ! -e "$HANDOFF/release" ]; do sleep 0.2; done`;
  writeFileSync(
    batch,
    JSON.stringify({
      name: 'wait',
      level: 'study',
      jobs: [{ name: 'wait', language: 'bash', script, args: [] }],
    }),
  );
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('COHORT_'))),
    COHORT_HOME: task.home,
    COHORT_PROJECT: 'bench',
    HANDOFF: handoff,
  };
  const run = spawnSync(process.execPath, [CLI, 'run', batch, 'P001', '--no-wait'], {
    env,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`cohort run failed: ${run.stderr}`);
  const ownerPid = Number(/process (\d+)/.exec(run.stdout)?.[1]);
  const envFile = join(handoff, 'env');
  const deadline = Date.now() + 60_000;
  while (!existsSync(envFile)) {
    if (Date.now() > deadline) throw new Error('the waiting task did not start');
    spawnSync('sleep', ['0.1']);
  }
  const taskEnv = Object.fromEntries(
    readFileSync(envFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return {
    env: { ...task.env, COHORT_TOKEN: taskEnv.COHORT_TOKEN, COHORT_SOCKET: taskEnv.COHORT_SOCKET },
    ownerPid,
    release: () => writeFileSync(join(handoff, 'release'), ''),
  };
}
