import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import {
  END_CAUSES,
  type Dependency,
  type Executor,
  type ExecutorState,
  type TaskSpec,
  type TaskStatus,
} from '../executor.js';
import { DEFAULT_POLL_MS, hasEnded, waitFor, waitForFile, waitUntil } from '../wait-for.js';

export { waitFor, waitForFile, waitUntil, hasEnded } from '../wait-for.js';

/** The contract's tests by name: the keys of `skip`. */
export const CONTRACT_TESTS = [
  'runs a task and writes its output to logDir',
  'reports the exit code of a failed task',
  'passes argv byte-exact',
  'passes the environment',
  'cancels a running task',
  'kills a task that ignores SIGTERM after the grace period',
  'cancels a queued task',
  'suspends and resumes a running task',
  'holds and releases a queued task',
  'runs an ok-dependent after its dependency succeeded',
  'does not run an ok-dependent when its dependency failed',
  'runs an any-dependent after a failed dependency',
  'ends a task at its time limit',
  'ends the processes a task left behind when it ends',
  'reports unknown for an id it never gave',
] as const;
export type ContractTest = (typeof CONTRACT_TESTS)[number];

export interface ContractOptions {
  /** Status poll interval. Default 50 ms. */
  readonly pollMs?: number;
  /** Longest wait for a task to reach a state; include the kill grace you configured. Default 30 s. */
  readonly timeoutMs?: number;
  /** Where the tests' folders go; for a cluster, a folder the compute nodes share. Default: os.tmpdir(). */
  readonly baseDir?: string;
  /** The limit of the time-limit test; schedulers count whole minutes. Default 0.02 (1.2 s). */
  readonly timeLimitMinutes?: number;
  /** Tests to skip, each with the written reason (a known gap of this backend). */
  readonly skip?: Partial<Record<ContractTest, string>>;
}

/** Arguments that break anything that joins words into shell text. */
const NASTY_ARGS = [
  'with space',
  "it's",
  '"double"',
  '$(touch pwned)',
  '`touch pwned`',
  'line1\nline2',
  'tab\there',
  'ünïcødé ✓ 日本語',
  '',
  '*',
  '$HOME',
  'back\\slash',
  '-n',
  ' lead and trail ',
  ';|&<>',
];

/**
 * One suite of behaviour every Executor must have, through its public methods only. Register it from a
 * backend's test file, with a factory that configures a short kill grace (the SIGTERM test waits for it).
 *
 * @example
 * executorContract('local', () => new LocalExecutor({ killGraceMs: 500 }));
 */
export function executorContract(
  name: string,
  make: () => Promise<Executor> | Executor,
  options: ContractOptions = {},
): void {
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let executor: Executor;
  let root: string;
  let count = 0;
  const submitted: string[] = [];

  /** A task running `script` in sh (the rest of argv are its $1...), in a folder of its own. */
  const task = (folder: string, label: string, script: string, more: Partial<TaskSpec> = {}): TaskSpec => {
    const logDir = join(folder, `${label}.log`);
    mkdirSync(logDir, { recursive: true }); // the engine creates log folders
    return {
      taskId: `contract-${++count}-${label}`,
      argv: ['/bin/sh', '-c', script, label],
      env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
      cwd: folder,
      logDir,
      resources: {},
      after: [],
      ...more,
    };
  };
  const submit = async (...specs: TaskSpec[]): Promise<string[]> => {
    const ids = await executor.submit(specs);
    submitted.push(...ids);
    return ids;
  };
  const one = async (spec: TaskSpec): Promise<string> => (await submit(spec))[0]!;
  const until = (id: string, state: ExecutorState) =>
    waitFor(executor, id, (s) => s.state === state, timeoutMs, pollMs);
  /** Waits for the end; every end carries a typed cause (control flow reads it, never `reason`). */
  const ended = async (id: string, ms = timeoutMs): Promise<TaskStatus> => {
    const status = await waitFor(executor, id, hasEnded, ms, pollMs);
    expect(END_CAUSES, `cause of ${JSON.stringify(status)}`).toContain(status.cause);
    return status;
  };
  const after = (id: string, kind: Dependency['kind']): Partial<TaskSpec> => ({ after: [{ id, kind }] });

  const test = (title: ContractTest, body: (folder: string, context: TestContext) => Promise<void>): void => {
    const reason = options.skip?.[title];
    if (reason !== undefined) it.skip(`${title} (skipped: ${reason})`, () => {});
    // Longer than any one wait of the body: a wait that times out says what it waited for and saw.
    else it(title, (context) => body(mkdtempSync(join(root, 'test-')), context), 3 * timeoutMs);
  };

  describe(`Executor contract: ${name}`, () => {
    beforeAll(async () => {
      root = mkdtempSync(join(options.baseDir ?? tmpdir(), 'cohort-contract-'));
      executor = await make();
    });
    afterEach(() => executor.cancel(submitted.splice(0))); // leftovers must not hold slots
    afterAll(async () => {
      await executor?.close();
      rmSync(root, { recursive: true, force: true });
    });

    test('runs a task and writes its output to logDir', async (dir) => {
      const spec = task(dir, 'out', 'echo to-stdout; echo to-stderr >&2');
      const status = await ended(await one(spec));
      expect(status).toMatchObject({ state: 'done', cause: 'exit' });
      expect(status.exitCode ?? 0).toBe(0);
      expect(readFileSync(join(spec.logDir, 'stdout.log'), 'utf8')).toBe('to-stdout\n');
      expect(readFileSync(join(spec.logDir, 'stderr.log'), 'utf8')).toBe('to-stderr\n');
    });

    test('reports the exit code of a failed task', async (dir) => {
      const spec = task(dir, 'fail', 'echo oops >&2; exit 3');
      const status = await ended(await one(spec));
      expect(status).toMatchObject({ state: 'error', cause: 'exit', exitCode: 3, reason: 'exit code 3' });
      expect(readFileSync(join(spec.logDir, 'stderr.log'), 'utf8')).toBe('oops\n');
    });

    test('passes argv byte-exact', async (dir) => {
      const spec = task(dir, 'args', 'printf "%s\\0" "$@" > args.bin');
      const status = await ended(await one({ ...spec, argv: [...spec.argv, ...NASTY_ARGS] }));
      expect(status.state).toBe('done');
      expect(readFileSync(join(dir, 'args.bin'), 'utf8').split('\0').slice(0, -1)).toEqual(NASTY_ARGS);
      expect(existsSync(join(dir, 'pwned'))).toBe(false);
    });

    test('passes the environment', async (dir) => {
      const value = 'a b "c" $(d) `e`\nü ✓';
      const spec = task(dir, 'env', 'printf "%s" "$COHORT_CONTRACT" > env.txt');
      const env = { ...spec.env, COHORT_CONTRACT: value };
      expect((await ended(await one({ ...spec, env }))).state).toBe('done');
      expect(readFileSync(join(dir, 'env.txt'), 'utf8')).toBe(value);
    });

    test('cancels a running task', async (dir) => {
      const id = await one(task(dir, 'long', 'echo started > started; sleep 30; echo finished > finished'));
      await waitForFile(join(dir, 'started'), timeoutMs, pollMs);
      await executor.cancel([id]);
      expect(await ended(id)).toMatchObject({ state: 'killed', cause: 'cancelled' });
      expect(existsSync(join(dir, 'finished'))).toBe(false);
    });

    test('kills a task that ignores SIGTERM after the grace period', async (dir) => {
      const script = 'trap "" TERM; echo $$ > pid; while :; do echo x >> beat; sleep 0.1; done';
      const id = await one(task(dir, 'stubborn', script));
      await waitForFile(join(dir, 'beat'), timeoutMs, pollMs);
      await executor.cancel([id]);
      expect((await ended(id)).state).toBe('killed');
      // Nothing of it is left running: the loop's shell itself is gone (not merely quiet for a while).
      const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
      await waitUntil(`the task's shell ${pid} to be gone`, () => !processAlive(pid), timeoutMs, pollMs);
    });

    test('cancels a queued task', async (dir) => {
      const first = await one(task(dir, 'first', 'sleep 30'));
      const queued = await one(task(dir, 'queued', 'echo ran > ran', after(first, 'any')));
      await until(first, 'running');
      expect((await executor.status([queued])).get(queued)?.state).toBe('queued');
      await executor.cancel([queued]);
      expect(await ended(queued)).toMatchObject({ state: 'killed', cause: 'cancelled' });
      await executor.cancel([first]);
      expect((await ended(first)).state).toBe('killed');
      expect(existsSync(join(dir, 'ran'))).toBe(false);
    });

    test('suspends and resumes a running task', async (dir, context) => {
      if (executor.suspend === undefined || executor.resume === undefined) return context.skip('no suspend');
      // It waits for a gate the test opens only once it is suspended: a loaded machine cannot let it
      // finish before the suspend arrives.
      const id = await one(
        task(
          dir,
          'pausable',
          'echo started > started; while [ ! -e go ]; do sleep 0.05; done; echo finished > finished',
        ),
      );
      await waitForFile(join(dir, 'started'), timeoutMs, pollMs);
      await executor.suspend([id]);
      await until(id, 'suspended');
      writeFileSync(join(dir, 'go'), '');
      // Stopped, not merely reported so: a witness on this machine passes the same gate and goes many
      // turns of the same loop; had the task gone on, it would have finished meanwhile.
      await witness(dir, 20);
      expect((await executor.status([id])).get(id)?.state).toBe('suspended');
      expect(existsSync(join(dir, 'finished'))).toBe(false);
      await executor.resume([id]);
      expect((await ended(id)).state).toBe('done');
      expect(existsSync(join(dir, 'finished'))).toBe(true);
    });

    test('holds and releases a queued task', async (dir, context) => {
      if (executor.hold === undefined || executor.release === undefined) return context.skip('no hold');
      const first = await one(task(dir, 'first', 'sleep 0.5'));
      const held = await one(task(dir, 'held', 'echo ran > ran', after(first, 'ok')));
      // A witness waits for the same task: once it has run, the held one had its chance to start too.
      const witness = await one(task(dir, 'witness', 'true', after(first, 'ok')));
      await executor.hold([held]);
      expect((await executor.status([held])).get(held)?.state).toBe('held');
      expect((await ended(first)).state).toBe('done');
      expect((await ended(witness)).state).toBe('done');
      expect((await executor.status([held])).get(held)?.state).toBe('held');
      expect(existsSync(join(dir, 'ran'))).toBe(false);
      await executor.release([held]);
      expect((await ended(held)).state).toBe('done');
      expect(existsSync(join(dir, 'ran'))).toBe(true);
    });

    test('runs an ok-dependent after its dependency succeeded', async (dir) => {
      // In one call, a dependency names the earlier task by its taskId (its executor id is not known yet).
      const first = task(dir, 'first', 'sleep 0.3; echo a > a.txt');
      const [, b] = await submit(first, task(dir, 'second', 'test -f a.txt', after(first.taskId, 'ok')));
      expect((await ended(b!)).state).toBe('done');
    });

    test('does not run an ok-dependent when its dependency failed', async (dir) => {
      const first = task(dir, 'first', 'exit 1');
      const [a, b] = await submit(first, task(dir, 'second', 'echo ran > ran', after(first.taskId, 'ok')));
      expect((await ended(a!)).state).toBe('error');
      expect(await ended(b!)).toMatchObject({
        state: 'error',
        cause: 'dependency-failed',
        reason: 'dependency failed',
      });
      expect(existsSync(join(dir, 'ran'))).toBe(false);
    });

    test('runs an any-dependent after a failed dependency', async (dir) => {
      const a = await one(task(dir, 'first', 'sleep 0.3; echo a > a.txt; exit 1'));
      const b = await one(task(dir, 'second', 'test -f a.txt', after(a, 'any')));
      expect((await ended(a)).state).toBe('error');
      expect((await ended(b)).state).toBe('done');
    });

    test('ends a task at its time limit', async (dir) => {
      const timeMinutes = options.timeLimitMinutes ?? 0.02;
      const id = await one(task(dir, 'slow', 'sleep 60', { resources: { timeMinutes } }));
      const status = await ended(id, timeMinutes * 60_000 + timeoutMs);
      expect(status).toMatchObject({ state: 'error', cause: 'time-limit', reason: 'time limit' });
    });

    test('ends the processes a task left behind when it ends', async (dir) => {
      // A job that backgrounds a child and exits: the child must not go on writing after the task is done.
      const id = await one(task(dir, 'leaves', 'sleep 60 & echo $! > child.pid; echo started'));
      expect((await ended(id)).state).toBe('done');
      const pid = Number(readFileSync(join(dir, 'child.pid'), 'utf8'));
      await waitUntil(`the task's child ${pid} to end with it`, () => !processAlive(pid), timeoutMs, pollMs);
    });

    test('reports unknown for an id it never gave', async () => {
      const id = `never-submitted-${process.pid}-${Date.now()}`;
      expect((await executor.status([id])).get(id)).toEqual({ state: 'unknown' });
    });
  });
}

/**
 * Runs, on this machine, what a task gated on `<dir>/go` does once the gate is open, then `turns` more
 * 0.05 s turns of its loop: the event a negative assertion waits for instead of a fixed sleep (under
 * load the witness is as slow as the task would be).
 */
export async function witness(dir: string, turns: number): Promise<void> {
  const script = `while [ ! -e go ]; do sleep 0.05; done; i=0; while [ $i -lt ${turns} ]; do sleep 0.05; i=$((i+1)); done`;
  await new Promise<void>((resolve, reject) =>
    execFile('/bin/sh', ['-c', script], { cwd: dir }, (error) =>
      error === null ? resolve() : reject(new Error(`the witness failed: ${error.message}`)),
    ),
  );
}

/** Whether a process exists (and is not a zombie waiting for its parent). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
