import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CohortError } from '../../errors/cohort-error.js';
import type { TaskSpec, TaskStatus } from '../executor.js';
import {
  executorContract,
  hasEnded,
  waitFor,
  waitForFile,
  waitUntil,
} from '../test-support/executor-contract.js';
import { SlurmExecutor } from './slurm-executor.js';

// Real daemons on a shared machine: a job can wait seconds for its turn; slurm-up.sh may install Slurm.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 600_000 });

const UP = fileURLToPath(new URL('../../../scripts/cluster/slurm-up.sh', import.meta.url));
/** The shared test cluster, or a developer's own (COHORT_SLURM_DIR, with COHORT_SLURM_PORT). */
const STATE = process.env.COHORT_SLURM_DIR ?? '/var/tmp/cohort-slurm';
const ENV = { SLURM_CONF: join(STATE, 'slurm.conf') };
const POLL_MS = 200;

const DOWN = fileURLToPath(new URL('../../../scripts/cluster/slurm-down.sh', import.meta.url));
/** Whether a cluster was running before these tests: a developer's is left running after them. */
const wasRunning = alive(pidOf('slurmctld'));

/** Starts (or keeps) the single-node cluster; installs Slurm first where it is missing. */
function slurmUp(): void {
  execFileSync('bash', [UP], { env: { ...process.env, COHORT_SLURM_DIR: STATE }, stdio: 'pipe' });
}

afterAll(() => {
  if (!wasRunning) execFileSync('bash', [DOWN], { env: { ...process.env, COHORT_SLURM_DIR: STATE } });
});

executorContract(
  'slurm',
  () => {
    slurmUp();
    return new SlurmExecutor({ env: ENV, killGraceMs: 2000 });
  },
  // KillWait=2 in slurm-up.sh's config is the grace of a cancel; the wrapper enforces time limits to the
  // second (Slurm's --time, whole minutes, is the backstop), so the contract's 1.2 s limit holds.
  { pollMs: POLL_MS, timeoutMs: 30_000 },
);

describe('SlurmExecutor', () => {
  let root: string;
  let count = 0;
  const executors: SlurmExecutor[] = [];
  const make = (options: ConstructorParameters<typeof SlurmExecutor>[0] = {}): SlurmExecutor => {
    const executor = new SlurmExecutor({ env: ENV, ...options });
    executors.push(executor);
    return executor;
  };
  const task = (script: string, more: Partial<TaskSpec> = {}): TaskSpec => {
    const dir = join(root, `t${++count}`);
    mkdirSync(dir);
    const spec = {
      taskId: `slurm-t${count}`,
      argv: ['/bin/sh', '-c', script],
      env: { PATH: '/usr/bin:/bin' },
    };
    return { ...spec, cwd: dir, logDir: join(dir, 'log'), resources: {}, after: [], ...more };
  };
  const ended = (executor: SlurmExecutor, id: string, ms = 60_000): Promise<TaskStatus> =>
    waitFor(executor, id, hasEnded, ms, POLL_MS);
  const slurm = (command: string, ...args: string[]): string =>
    execFileSync(command, args, { env: { ...process.env, ...ENV }, encoding: 'utf8' });

  beforeAll(() => {
    slurmUp();
    root = mkdtempSync(join(tmpdir(), 'cohort-slurm-'));
  });
  afterAll(async () => {
    for (const executor of executors) await executor.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('submits a chain over many items as arrays (aftercorr) and polls them with one squeue', async () => {
    const executor = make();
    const subjects = [0, 1, 2].map(() => [task('echo step1 > s1'), task('test -f s1 && echo step2')]);
    const specs = subjects.flatMap(([first, second]) => [
      {
        ...first!,
        arrayKey: 'step1',
        ...(first === subjects[1]![0] ? { argv: ['/bin/sh', '-c', 'exit 4'] } : {}),
      },
      { ...second!, cwd: first!.cwd, arrayKey: 'step2', after: [{ id: first!.taskId, kind: 'ok' as const }] },
    ]);
    const ids = await executor.submit(specs);
    expect(executor.commands.counts.get('sbatch')).toBe(2); // two arrays of three, not six jobs
    expect(ids.every((id) => /^\d+_\d$/.test(id))).toBe(true);
    const before = executor.commands.count;
    await executor.status(ids);
    expect(executor.commands.count - before).toBe(1);
    const statuses = await Promise.all(ids.map((id) => ended(executor, id)));
    expect(statuses.map((s) => s.state)).toEqual(['done', 'done', 'error', 'error', 'done', 'done']);
    expect(statuses[2]).toMatchObject({ exitCode: 4, reason: 'exit code 4' });
    expect(statuses[3]).toMatchObject({ reason: 'dependency failed' }); // only subject 2's second step
    expect(readFileSync(join(specs[5]!.logDir, 'stdout.log'), 'utf8')).toBe('step2\n');
  });

  it('reports a job cancelled outside Cohort with scancel', async () => {
    const executor = make();
    const spec = task('echo started > started; sleep 60');
    const [id] = await executor.submit([spec]);
    await waitForFile(join(spec.cwd, 'started'), 30_000);
    slurm('scancel', id!);
    expect(await ended(executor, id!)).toMatchObject({
      state: 'killed',
      reason: 'cancelled outside Cohort (scancel)',
    });
  });

  it('ends a job over its memory limit with `out of memory`', async () => {
    const executor = make();
    // About 300 MB in a shell variable, against a 64 MB limit.
    const hog = task('x=$(head -c 300000000 /dev/zero | tr "\\0" a); sleep 30', {
      resources: { memoryMB: 64 },
    });
    const [id] = await executor.submit([hog]);
    expect(await ended(executor, id!)).toMatchObject({ state: 'error', reason: 'out of memory' });
  });

  it('ends a task that ignores SIGTERM at its time limit, to the second, leaving nothing running', async () => {
    const executor = make({ killGraceMs: 1000 });
    const script = 'trap "" TERM; echo $$ > started; while :; do echo x >> beat; sleep 0.1; done';
    const stubborn = task(script, { resources: { timeMinutes: 0.05 } }); // 3 s; Slurm's --time=1 backstop
    const [id] = await executor.submit([stubborn]);
    const status = await ended(executor, id!, 30_000);
    expect(status).toMatchObject({ state: 'error', reason: 'time limit' });
    expect(status.endedAt! - status.startedAt!).toBeLessThan(20_000); // Slurm alone: 60 to 90 s
    // Nothing left running: the loop's shell itself is gone (not merely quiet for a while).
    const pid = Number(readFileSync(join(stubborn.cwd, 'started'), 'utf8'));
    await waitUntil(`the task's shell ${pid} to be gone`, () => !alive(pid), 10_000);
  });

  it('refuses a bad partition with an error naming it and `sinfo`, submitting nothing', async () => {
    const executor = make();
    const good = task('sleep 30');
    const bad = task('true', { resources: { queue: 'no-such-partition' } });
    const error = await executor.submit([good, bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CohortError);
    expect(error).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining("'no-such-partition'"),
    });
    expect((error as CohortError).hint).toContain('sinfo');
    // The good task was submitted first, and cancelled when the second was refused.
    const names = slurm('squeue', '--noheader', '--states=PENDING,RUNNING', '--format=%j');
    expect(names.split('\n')).not.toContain(good.taskId);
  });

  it('reports jobs of an earlier instance after a restart, and cancels them', async () => {
    const first = make();
    const long = task('echo started > started; sleep 60');
    const ids = await first.submit([long, task('true'), task('exit 3')]);
    const [running, finished, failed] = ids as [string, string, string];
    await waitForFile(join(long.cwd, 'started'), 30_000);
    await ended(first, finished);
    await ended(first, failed);
    const second = make(); // the runner restarted
    const statuses = await second.status(ids);
    expect(statuses.get(running)).toMatchObject({ state: 'running' });
    expect(statuses.get(finished)).toMatchObject({ state: 'done', exitCode: 0 });
    expect(statuses.get(failed)).toMatchObject({ state: 'error', exitCode: 3, reason: 'exit code 3' });
    await second.cancel([running]);
    expect(await ended(second, running)).toMatchObject({ state: 'killed', reason: 'killed' });
  });

  it('keeps jobs and recovers status when slurmctld is stopped and restarted mid-run', async () => {
    const executor = make();
    const spec = task('echo started > started; sleep 4; echo finished > finished');
    const [id] = await executor.submit([spec]);
    await waitForFile(join(spec.cwd, 'started'), 30_000);
    expect((await executor.status([id!])).get(id!)?.state).toBe('running');
    const pid = pidOf('slurmctld');
    process.kill(pid, 'SIGTERM');
    while (alive(pid)) await sleep(100);
    try {
      const asked = Date.now();
      // Unreachable controller: the last known state, promptly, not an exception or a hang.
      expect((await executor.status([id!])).get(id!)?.state).toBe('running');
      expect(Date.now() - asked).toBeLessThan(20_000);
      const refused = await executor.submit([task('true')]).catch((e: unknown) => e);
      expect(refused).toMatchObject({ retryable: true });
      await waitForFile(join(spec.cwd, 'finished'), 30_000); // the job ran on without its controller
    } finally {
      slurmUp();
    }
    expect(await ended(executor, id!)).toMatchObject({ state: 'done', exitCode: 0 });
    const [after] = await executor.submit([task('true')]);
    expect((await ended(executor, after!)).state).toBe('done');
  });
});

function alive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function pidOf(daemon: 'slurmctld'): number {
  try {
    return Number(readFileSync(join(STATE, `run/${daemon}.pid`), 'utf8'));
  } catch {
    return 0;
  }
}
