import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../executor.js';
import { CONTRACT_TESTS, executorContract, type ContractTest } from '../test-support/executor-contract.js';
import { MemoryExecutor } from './memory-executor.js';

// The contract's other tests check what real processes do (output, argv, signals, time limits); the
// memory executor runs none, so only what needs no process applies. Its own tests follow.
const needsProcesses = Object.fromEntries(
  CONTRACT_TESTS.filter((t) => t !== 'reports unknown for an id it never gave').map((t) => [
    t,
    'the memory executor runs no processes: its tasks advance only when a test says so',
  ]),
) as Partial<Record<ContractTest, string>>;
executorContract('memory', () => new MemoryExecutor(), { skip: needsProcesses });

let count = 0;
const spec = (after: TaskSpec['after'] = []): TaskSpec => ({
  taskId: `t${++count}`,
  argv: ['true'],
  env: {},
  cwd: '/',
  logDir: `/nowhere/t${count}`,
  resources: {},
  after,
});
const stateOf = async (executor: MemoryExecutor, id: string): Promise<string> =>
  (await executor.status([id])).get(id)!.state;

describe('MemoryExecutor', () => {
  it('advances a task only when told: queued, running, done or error with the exit cause', async () => {
    const executor = new MemoryExecutor({ host: 'n1' });
    const [a, b] = await executor.submit([spec(), spec()]);
    expect(await stateOf(executor, a!)).toBe('queued');
    executor.start(a!, 1000);
    expect((await executor.status([a!])).get(a!)).toEqual({ state: 'running', host: 'n1', startedAt: 1000 });
    executor.finish(a!, 0, 2000);
    expect((await executor.status([a!])).get(a!)).toEqual({
      state: 'done',
      cause: 'exit',
      exitCode: 0,
      host: 'n1',
      startedAt: 1000,
      endedAt: 2000,
    });
    executor.start(b!);
    executor.finish(b!, 3);
    expect((await executor.status([b!])).get(b!)).toMatchObject({
      state: 'error',
      cause: 'exit',
      reason: 'exit code 3',
    });
  });

  it('honours dependencies: waits for them, ends an ok-dependent of a failure down the chain', async () => {
    const executor = new MemoryExecutor();
    const first = spec();
    const second = spec([{ id: first.taskId, kind: 'ok' }]);
    const third = spec([{ id: second.taskId, kind: 'ok' }]);
    const [a, b, c] = await executor.submit([first, second, third]);
    const [d] = await executor.submit([spec([{ id: a!, kind: 'any' }])]);
    expect(executor.ready()).toEqual([a]);
    expect(() => executor.start(b!)).toThrow(/waits for/);
    executor.start(a!);
    executor.finish(a!, 1);
    for (const id of [b!, c!])
      expect((await executor.status([id])).get(id)).toMatchObject({
        state: 'error',
        cause: 'dependency-failed',
        reason: 'dependency failed',
      });
    expect(executor.ready()).toEqual([d]);
  });

  it('cancels, holds, releases, suspends and resumes', async () => {
    const executor = new MemoryExecutor();
    const [a, b] = await executor.submit([spec(), spec()]);
    await executor.hold([a!]);
    expect(await stateOf(executor, a!)).toBe('held');
    expect(() => executor.start(a!)).toThrow(/held/);
    await executor.release([a!]);
    executor.start(a!);
    await executor.suspend([a!]);
    expect(await stateOf(executor, a!)).toBe('suspended');
    await executor.resume([a!]);
    await executor.cancel([a!, b!]);
    expect((await executor.status([a!])).get(a!)).toMatchObject({ state: 'killed', cause: 'cancelled' });
    expect((await executor.status([b!])).get(b!)).toMatchObject({ state: 'killed', cause: 'cancelled' });
  });

  it('ends a task for another cause, and forgets unstarted tasks as a dead runner would', async () => {
    const executor = new MemoryExecutor();
    const [a, b, c] = await executor.submit([spec(), spec(), spec()]);
    executor.start(a!);
    executor.fail(a!, 'time-limit');
    expect((await executor.status([a!])).get(a!)).toMatchObject({
      state: 'error',
      cause: 'time-limit',
      reason: 'time limit',
    });
    executor.start(b!);
    executor.forget();
    expect(await stateOf(executor, b!)).toBe('running');
    expect(await stateOf(executor, c!)).toBe('unknown');
  });

  it('tells its changes, unless asked to behave like a cluster', async () => {
    const executor = new MemoryExecutor();
    const [a] = await executor.submit([spec()]);
    expect([...executor.takeChanges!()]).toEqual([a]);
    expect(executor.takeChanges!().size).toBe(0);
    executor.start(a!);
    expect([...executor.takeChanges!()]).toEqual([a]);
    expect(new MemoryExecutor({ kind: 'slurm', tellsChanges: false }).takeChanges).toBeUndefined();
  });

  it('refuses submits once closed', async () => {
    const executor = new MemoryExecutor();
    await executor.close();
    await expect(executor.submit([spec()])).rejects.toThrow(/closed/);
  });
});
