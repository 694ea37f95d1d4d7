import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeExitRecord } from '../executors/index.js';
import { createEngineFixture, states, type EngineFixture } from './engine-fixture.js';
import { NOT_RUN_TEXT } from './status-update.js';

// The run engine against in-memory executors: every step of a task is the test's to take, so chained
// and grouped modes, error policies, handover between engines and recovery run in milliseconds.

let f: EngineFixture;
beforeEach(async () => {
  f = await createEngineFixture();
});
afterEach(() => f.close());

/** The task id of an item's job. */
function taskId(run: number, item: string, jobIndex: number): number {
  return f.tasks(run).find((t) => t.item === item && t.job_index === jobIndex)?.id ?? -1;
}

/** Starts and finishes a task (code 0: success). */
function complete(id: string, code = 0): void {
  f.local.start(id);
  f.local.finish(id, code);
}

describe('a chained run', () => {
  it('submits every unit in one call, each item job waiting on the one before, and ends done', async () => {
    const run = f.run([{}, {}]);
    await f.engine.submitRun(run);
    expect(f.local.calls.submit).toBe(1);
    expect(states(f.tasks(run))).toEqual([
      'P001#1/0:queued',
      'P001#1/1:queued',
      'P002#1/0:queued',
      'P002#1/1:queued',
    ]);
    const second = f.executorId(run, 'P001#1', 1);
    // Job 1 waits for job 0 of its item, and only if job 0 succeeds (onError break).
    // Named by the earlier unit's task id in the same submit call (the executor resolves it).
    expect(f.local.specOf(second).after).toEqual([{ id: `task-${taskId(run, 'P001#1', 0)}`, kind: 'ok' }]);
    expect(f.local.ready()).toEqual([f.executorId(run, 'P001#1', 0), f.executorId(run, 'P002#1', 0)]);

    f.local.start(f.executorId(run, 'P001#1', 0));
    await f.engine.poll();
    expect(states(f.tasks(run))[0]).toBe('P001#1/0:running');
    f.local.finish(f.executorId(run, 'P001#1', 0));
    for (const id of f.local.ready()) complete(id);
    for (const id of f.local.ready()) complete(id);
    const tasks = await f.engine.waitForRun(run, { pollMs: 1 });
    expect(states(tasks)).toEqual(['P001#1/0:done', 'P001#1/1:done', 'P002#1/0:done', 'P002#1/1:done']);
    expect(tasks.every((t) => t.host === 'memory' && t.started_at !== null && t.ended_at !== null)).toBe(
      true,
    );
  });

  it('skips the rest of an item that broke, and runs the others', async () => {
    const run = f.run([{ onError: 'break' }, {}]);
    await f.engine.submitRun(run);
    complete(f.executorId(run, 'P001#1', 0), 3);
    complete(f.executorId(run, 'P002#1', 0));
    complete(f.executorId(run, 'P002#1', 1));
    const tasks = await f.engine.waitForRun(run, { pollMs: 1 });
    expect(states(tasks)).toEqual(['P001#1/0:error', 'P001#1/1:skipped', 'P002#1/0:done', 'P002#1/1:done']);
    expect(tasks[0]?.error).toMatch(/^exit code 3/);
    expect(tasks[0]?.exit_code).toBe(3);
    expect(tasks[1]?.error).toBe(NOT_RUN_TEXT);
  });

  it('goes on after an error with onError continue, and counts an ignored failure as done', async () => {
    const run = f.run([{ onError: 'continue' }, { onError: 'ignore' }]);
    await f.engine.submitRun(run);
    const first = f.executorId(run, 'P001#1', 0);
    expect(f.local.specOf(f.executorId(run, 'P001#1', 1)).after).toEqual([
      { id: `task-${taskId(run, 'P001#1', 0)}`, kind: 'any' },
    ]);
    complete(first, 1);
    complete(f.executorId(run, 'P001#1', 1), 2);
    complete(f.executorId(run, 'P002#1', 0));
    complete(f.executorId(run, 'P002#1', 1));
    const tasks = await f.engine.waitForRun(run, { pollMs: 1 });
    expect(states(tasks)).toEqual(['P001#1/0:error', 'P001#1/1:done', 'P002#1/0:done', 'P002#1/1:done']);
  });

  it('records a time limit as an error with its reason', async () => {
    const run = f.run([{}]);
    await f.engine.submitRun(run);
    const id = f.executorId(run, 'P001#1', 0);
    f.local.start(id);
    f.local.fail(id, 'time-limit');
    await f.engine.poll();
    const task = f.tasks(run)[0];
    expect(task?.state).toBe('error');
    expect(task?.error).toMatch(/time limit/);
  });
});

describe('error texts', () => {
  it('never show a secret a job printed', async () => {
    const run = f.run([{}]);
    await f.engine.submitRun(run);
    const task = f.tasks(run)[0]!;
    writeFileSync(join(task.log_dir, 'stderr.log'), `failed with COHORT_TOKEN=cohj_${'A'.repeat(43)}\n`);
    complete(f.executorId(run, 'P001#1', 0), 2);
    await f.engine.poll();
    expect(f.tasks(run)[0]?.error).toBe('exit code 2: failed with COHORT_TOKEN=[secret]');
  });
});

describe('an unordered run', () => {
  it('submits jobs of one item without waiting for each other', async () => {
    const run = f.run([{}, {}], 'unordered');
    await f.engine.submitRun(run);
    expect(f.local.ready()).toHaveLength(4);
  });
});

describe('grouped run modes', () => {
  it('single: one unit runs every task; each task takes its state from its own folder', async () => {
    const run = f.run([{}, {}], 'single');
    await f.engine.submitRun(run);
    expect(f.local.submitted).toHaveLength(1);
    const unit = f.executorId(run, 'P001#1', 0);
    expect(f.tasks(run).every((t) => t.executor_id === unit)).toBe(true);
    expect(f.local.specOf(unit).argv[0]).toBe('/bin/sh');
    f.local.start(unit);
    // The unit's script writes each step's exit record; here the test writes them.
    const [a0, a1, b0] = f.tasks(run);
    const now = Date.now();
    writeExitRecord(a0!.log_dir, { code: 0, cause: 'exit', host: 'h', startedAt: now, endedAt: now });
    writeExitRecord(a1!.log_dir, { code: 4, cause: 'exit', host: 'h', startedAt: now, endedAt: now });
    await f.engine.poll();
    expect(states(f.tasks(run)).slice(0, 2)).toEqual(['P001#1/0:done', 'P001#1/1:error']);
    writeExitRecord(b0!.log_dir, { code: 0, cause: 'exit', host: 'h', startedAt: now, endedAt: now });
    f.local.finish(unit, 0);
    await f.engine.poll();
    // P002's second job never started before the unit ended: it did not run.
    expect(states(f.tasks(run))).toEqual([
      'P001#1/0:done',
      'P001#1/1:error',
      'P002#1/0:done',
      'P002#1/1:skipped',
    ]);
  });

  it('n-units: items spread over N units', async () => {
    const run = f.run([{}], 'n-units', 2);
    await f.engine.submitRun(run);
    expect(f.local.submitted).toHaveLength(2);
    expect(new Set(f.tasks(run).map((t) => t.executor_id)).size).toBe(2);
  });
});

describe('handover between engines', () => {
  it('keeps a cluster job pending until the local job before it ended, then submits it there', async () => {
    const run = f.run([{ queue: 'local' }, { queue: 'cluster' }]);
    await f.engine.submitRun(run);
    expect(f.slurm.calls.submit).toBe(0);
    expect(states(f.tasks(run))).toEqual([
      'P001#1/0:queued',
      'P001#1/1:pending',
      'P002#1/0:queued',
      'P002#1/1:pending',
    ]);
    complete(f.executorId(run, 'P001#1', 0));
    complete(f.executorId(run, 'P002#1', 0), 1);
    await f.engine.poll();
    expect(states(f.tasks(run))).toEqual([
      'P001#1/0:done',
      'P001#1/1:queued',
      'P002#1/0:error',
      'P002#1/1:skipped',
    ]);
    const clusterTask = f.executorId(run, 'P001#1', 1);
    expect(f.slurm.specOf(clusterTask).after).toEqual([]);
    f.slurm.start(clusterTask);
    f.slurm.finish(clusterTask);
    const tasks = await f.engine.waitForRun(run, { pollMs: 1 });
    expect(tasks.find((t) => t.item === 'P001#1' && t.job_index === 1)?.state).toBe('done');
  });
});

describe('recovery', () => {
  it('after the runner died, submits again only the tasks that never started', async () => {
    const run = f.run([{}]);
    await f.engine.submitRun(run);
    const started = f.executorId(run, 'P001#1', 0);
    f.local.start(started);
    f.local.forget(); // the runner died with P002's queued task in its memory
    const engine = f.restart();
    expect(await engine.reconcile([run])).toBe(1);
    expect(f.local.calls.submit).toBe(2);
    f.local.finish(started);
    complete(f.executorId(run, 'P002#1', 0));
    const tasks = await engine.waitForRun(run, { pollMs: 1 });
    expect(states(tasks)).toEqual(['P001#1/0:done', 'P002#1/0:done']);
  });

  it('takes the end a task left in its folder when its executor forgot it', async () => {
    const run = f.run([{}]);
    await f.engine.submitRun(run);
    const [a] = f.tasks(run);
    f.local.start(f.executorId(run, 'P001#1', 0));
    const now = Date.now();
    writeExitRecord(a!.log_dir, { code: 5, cause: 'exit', host: 'n1', startedAt: now, endedAt: now });
    f.local.forget([f.executorId(run, 'P001#1', 0)]); // e.g. a scheduler past its MinJobAge
    expect(await f.restart().reconcile([run])).toBe(0); // P002's queued task is still known
    expect(f.tasks(run)[0]).toMatchObject({ state: 'error', exit_code: 5, host: 'n1' });
  });

  it('leaves tasks pending when the executor fails during submit, and submits them once later', async () => {
    const run = f.run([{}]);
    const submit = f.local.submit.bind(f.local);
    f.local.submit = () => Promise.reject(new Error('scheduler unreachable'));
    await expect(f.engine.submitRun(run)).rejects.toThrow('scheduler unreachable');
    expect(states(f.tasks(run))).toEqual(['P001#1/0:pending', 'P002#1/0:pending']);
    f.local.submit = submit;
    expect(await f.restart().reconcile([run])).toBe(2);
    expect(f.local.submitted).toHaveLength(2);
    expect(states(f.tasks(run))).toEqual(['P001#1/0:queued', 'P002#1/0:queued']);
  });

  it('polls only the runs it owns', async () => {
    const mine = f.run([{}]);
    const other = f.run([{}]);
    await f.engine.submitRun(mine);
    await f.restart().submitRun(other);
    const engine = f.restart();
    engine.track([mine]);
    for (const id of f.local.ready()) complete(id);
    await engine.poll();
    expect(f.tasks(mine).every((t) => t.state === 'done')).toBe(true);
    expect(f.tasks(other).every((t) => t.state === 'queued')).toBe(true);
  });
});
