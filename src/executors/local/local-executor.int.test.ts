import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskSpec, TaskStatus } from '../executor.js';
import {
  executorContract,
  hasEnded,
  waitFor,
  waitForFile,
  witness,
} from '../test-support/executor-contract.js';
import { nativeLauncherBuilt } from './launcher.js';
import { LocalExecutor } from './local-executor.js';
import { readProcStat } from '../proc-stat.js';

const GRACE_MS = 500;

// Up to date with libexec/task-launcher.c (a no-op when it is; a note and no binary without a compiler).
execFileSync('bash', [fileURLToPath(new URL('../../../scripts/build-launcher.sh', import.meta.url))]);
const NO_COMPILER = 'no C compiler built the native launcher';

if (nativeLauncherBuilt()) {
  executorContract(
    'local (native launcher)',
    () => new LocalExecutor({ slots: 4, killGraceMs: GRACE_MS, launcher: 'native' }),
  );
} else describe.skip(`Executor contract: local (native launcher) (skipped: ${NO_COMPILER})`, () => {});
executorContract(
  'local (bash launcher)',
  () => new LocalExecutor({ slots: 4, killGraceMs: GRACE_MS, launcher: 'bash' }),
);

describe('LocalExecutor', () => {
  let root: string;
  let count = 0;
  const executors: LocalExecutor[] = [];
  const make = (options: ConstructorParameters<typeof LocalExecutor>[0] = {}): LocalExecutor => {
    const executor = new LocalExecutor({ killGraceMs: GRACE_MS, ...options });
    executors.push(executor);
    return executor;
  };
  const task = (script: string, more: Partial<TaskSpec> = {}): TaskSpec => {
    const dir = join(root, `t${++count}`);
    mkdirSync(dir);
    const spec = { taskId: `t${count}`, argv: ['/bin/sh', '-c', script], env: { PATH: '/usr/bin:/bin' } };
    return { ...spec, cwd: dir, logDir: join(dir, 'log'), resources: {}, after: [], ...more };
  };
  const ended = (executor: LocalExecutor, id: string): Promise<TaskStatus> =>
    waitFor(executor, id, hasEnded, 20_000, 20);

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cohort-local-'));
  });
  afterAll(async () => {
    for (const executor of executors) await executor.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('reports tasks of an earlier, abandoned instance: running, finished, failed, cancelled', async () => {
    const first = make();
    const long = task('echo started > started; sleep 30');
    const ids = await first.submit([long, task('true'), task('exit 3')]);
    const [running, finished, failed] = ids as [string, string, string];
    await waitForFile(join(long.cwd, 'started'), 10_000);
    await ended(first, failed);
    await ended(first, finished);

    const second = make(); // the runner restarted: `first` is never asked again
    const statuses = await second.status(ids);
    expect(statuses.get(running)).toMatchObject({ state: 'running' });
    expect(statuses.get(finished)).toMatchObject({ state: 'done', exitCode: 0 });
    expect(statuses.get(failed)).toMatchObject({ state: 'error', exitCode: 3, reason: 'exit code 3' });
    await second.suspend([running]);
    await waitFor(second, running, (s) => s.state === 'suspended', 5000);
    await second.cancel([running]); // also resumes it, to act on the SIGTERM
    expect(await ended(second, running)).toMatchObject({ state: 'killed', reason: 'killed' });
  });

  it('obeys a suspend sent before the launcher reported the start (the task is already running)', async () => {
    const executor = make({ slots: 1 });
    const spec = task('for i in $(seq 1 100); do echo $i >> ticks; sleep 0.02; done');
    const [id] = await executor.submit([spec]);
    await executor.suspend([id!]); // same tick: the slot is taken, the pid not yet known
    // Not "suspended" while the stop is only noted: a caller acting on that (the contract test opens
    // its task's gate) would let the task run on until the pid arrives.
    expect((await executor.status([id!])).get(id!)?.state).toBe('running');
    await waitFor(executor, id!, (s) => s.state === 'suspended', 5000);
    const ticks = (): number =>
      existsSync(join(spec.cwd, 'ticks')) ? readFileSync(join(spec.cwd, 'ticks'), 'utf8').length : 0;
    writeFileSync(join(spec.cwd, 'go'), ''); // the witness's gate (the task has none)
    await witness(spec.cwd, 5); // the STOP has landed by the time a process here made 5 turns
    const before = ticks();
    await witness(spec.cwd, 20); // stopped, not merely reported so: 20 turns here and not one tick there
    expect(ticks()).toBe(before);
    await executor.resume([id!]);
    expect((await ended(executor, id!)).state).toBe('done');
    expect(readFileSync(join(spec.cwd, 'ticks'), 'utf8').trim().split('\n')).toHaveLength(100);
  });

  it('tells of the end of an adopted task and runs tasks that depend on it', async () => {
    const first = make();
    const [id] = await first.submit([task('sleep 1')]);
    const seen: string[] = [];
    const second = make({ onTaskEnded: (ended) => seen.push(ended) });
    const [next] = await second.submit([task('true', { after: [{ id: id!, kind: 'ok' }] })]);
    expect((await ended(second, next!)).state).toBe('done');
    expect(seen).toEqual([id, next]);
  });

  it('obeys hold, release and cancel from another instance on tasks still queued in its memory', async () => {
    const owner = make({ slots: 1 });
    const other = make(); // `cohort grid hold` in a second shell
    const [first, held, cancelled] = await owner.submit([
      task('sleep 1'),
      task('echo ran > ran'),
      task('echo ran > ran'),
    ]);
    await other.hold([held!]);
    await other.cancel([cancelled!]);
    expect((await other.status([cancelled!])).get(cancelled!)).toMatchObject({ state: 'killed' });
    expect((await ended(owner, first!)).state).toBe('done');
    expect(await ended(owner, cancelled!)).toMatchObject({ state: 'killed', reason: 'killed' });
    await waitFor(owner, held!, (s) => s.state === 'held', 3000);
    // A witness submitted after it takes the free slot and ends: the held task had its chance, and waits.
    const [witness] = await owner.submit([task('true')]);
    expect((await ended(owner, witness!)).state).toBe('done');
    expect((await owner.status([held!])).get(held!)?.state).toBe('held');
    await other.release([held!]);
    expect((await ended(owner, held!)).state).toBe('done');
    expect(existsSync(join(held!, '..', 'ran'))).toBe(true);
    expect(existsSync(join(cancelled!, '..', 'ran'))).toBe(false);
  });

  it('says the runner lost a task whose process is gone without an exit status', async () => {
    const dir = join(root, 'lost');
    mkdirSync(dir);
    // Our own pid with a start time that is not ours: a reused pid must not pass for the task.
    const ticks = Number(readProcStat(process.pid)?.startTicks) + 1;
    writeFileSync(join(dir, 'pid'), `${process.pid} ${ticks} 0\n`);
    expect((await make().status([dir])).get(dir)).toMatchObject({
      state: 'error',
      cause: 'lost',
      reason: 'runner lost the task (no exit status)',
    });
    expect((await make().status([join(root, 'never')])).get(join(root, 'never'))).toEqual({
      state: 'unknown',
    });
  });

  it('caps a log that grows past logCapBytes and keeps what comes after', async () => {
    const executor = make({ logCapBytes: 1024 * 1024 });
    const script = 'for i in $(seq 20); do head -c 1048576 /dev/zero; sleep 0.15; done; echo the-end';
    const spec = task(script);
    const [id] = await executor.submit([spec]);
    let largest = 0;
    while (!hasEnded((await executor.status([id!])).get(id!)!)) {
      largest = Math.max(
        largest,
        statSync(join(spec.logDir, 'stdout.log'), { throwIfNoEntry: false })?.size ?? 0,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const log = readFileSync(join(spec.logDir, 'stdout.log'), 'latin1');
    expect(log).toContain('[cohort: log exceeded 1 MiB; earlier output dropped]\n');
    expect(log.endsWith('the-end\n')).toBe(true);
    expect(log.length).toBeLessThan(2 * 1024 * 1024);
    expect(largest).toBeLessThan(15 * 1024 * 1024); // cut while it ran (20 MiB in 3 s, checked every second)
  });

  it('runs at most `slots` tasks at once; a task with cpus = 2 takes two slots', async () => {
    const executor = make({ slots: 2 });
    const timed = (more: Partial<TaskSpec> = {}) =>
      task('date +%s%N > start; sleep 0.3; date +%s%N > end', more);
    const specs = [timed(), timed(), timed(), timed({ resources: { cpus: 2 } }), timed()];
    const ids = await executor.submit(specs);
    for (const id of ids) expect((await ended(executor, id)).state).toBe('done');
    const spans = specs.map((s) => ['start', 'end'].map((f) => Number(readFileSync(join(s.cwd, f), 'utf8'))));
    // How many ran at the moment task i started (itself included).
    const concurrent = (i: number) =>
      spans.filter(([start, end]) => start! <= spans[i]![0]! && spans[i]![0]! < end!).length;
    const overlapping = (i: number) =>
      spans.filter(([start, end], j) => j !== i && start! < spans[i]![1]! && end! > spans[i]![0]!).length;
    expect(Math.max(...spans.map((_, i) => concurrent(i)))).toBe(2); // two ran together, never three
    expect(overlapping(3)).toBe(0); // the wide task ran alone
  });

  it('ends a task that ignores SIGTERM at its time limit, after the grace', async () => {
    const executor = make();
    const spec = task('trap "" TERM; sleep 30', { resources: { timeMinutes: 0.01 } });
    const [id] = await executor.submit([spec]);
    expect(await ended(executor, id!)).toMatchObject({
      state: 'error',
      cause: 'time-limit',
      reason: 'time limit',
      exitCode: 137,
    });
  });

  it('rejects bad input and a log folder still in use, queueing nothing', async () => {
    const executor = make();
    await expect(executor.submit([task('true', { argv: [] })])).rejects.toThrow(/program/);
    const busy = task('sleep 30');
    const [id] = await executor.submit([busy]);
    await expect(make().submit([task('true'), { ...busy, taskId: 'again' }])).rejects.toThrow(
      /has not ended/,
    );
    await executor.cancel([id!]);
    expect((await ended(executor, id!)).state).toBe('killed');
  });
});
