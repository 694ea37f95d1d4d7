import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCohortError } from '../errors/cohort-error.js';
import { planRerun } from './plan-rerun.js';
import { createEngineFixture, states, type EngineFixture } from './engine-fixture.js';

// Group-level jobs on the engine with in-memory executors: one task for every item, waiting for all of
// them, and the items' later jobs waiting for it; across engines it is handed over when they ended.

let f: EngineFixture;
beforeEach(async () => {
  f = await createEngineFixture();
});
afterEach(() => f.close());

function taskKey(run: number, item: string, jobIndex: number): string {
  return `task-${f.tasks(run).find((t) => t.item === item && t.job_index === jobIndex)?.id ?? -1}`;
}

function complete(id: string, code = 0): void {
  f.local.start(id);
  f.local.finish(id, code);
}

describe('a group-level job', () => {
  it('is one task over every item, waiting for each item`s job before it; later jobs wait for it', async () => {
    const run = f.run([{}, { group: true }, {}]);
    // Job by job: every task follows those it waits for.
    expect(states(f.tasks(run))).toEqual([
      'P001#1/0:pending',
      'P002#1/0:pending',
      '*/1:pending',
      'P001#1/2:pending',
      'P002#1/2:pending',
    ]);
    await f.engine.submitRun(run);
    expect(f.local.calls.submit).toBe(1);
    const group = f.executorId(run, '*', 1);
    expect(f.local.specOf(group).after).toEqual([
      { id: taskKey(run, 'P001#1', 0), kind: 'ok' },
      { id: taskKey(run, 'P002#1', 0), kind: 'ok' },
    ]);
    expect(f.local.specOf(f.executorId(run, 'P002#1', 2)).after).toEqual([
      { id: taskKey(run, '*', 1), kind: 'ok' },
    ]);
    // Its FILE argument is the list of both studies' files.
    const provenance = JSON.parse(
      f.catalog.db.prepare('SELECT resolved FROM tasks WHERE executor_id = ?').pluck().get(group) as string,
    ) as { arguments: Record<string, string[]>; env: Record<string, string> };
    expect(provenance.arguments['f1']?.map((p) => p.split('/').slice(-4).join('/'))).toEqual([
      'P001/1/t1/s001.nii',
      'P002/1/t1/s001.nii',
    ]);
    expect(provenance.env['COHORT_ITEM']).toBe('*');
    complete(f.executorId(run, 'P001#1', 0));
    expect(f.local.ready()).toEqual([f.executorId(run, 'P002#1', 0)]);
    complete(f.executorId(run, 'P002#1', 0));
    expect(f.local.ready()).toEqual([group]);
    complete(group);
    for (const id of f.local.ready()) complete(id);
    const tasks = await f.engine.waitForRun(run, { pollMs: 1 });
    expect(states(tasks).every((s) => s.endsWith(':done'))).toBe(true);
  });

  it('does not run when an item broke before it (onError break), and neither do the jobs after it', async () => {
    const run = f.run([{}, { group: true }, {}]);
    await f.engine.submitRun(run);
    complete(f.executorId(run, 'P001#1', 0), 2);
    complete(f.executorId(run, 'P002#1', 0));
    const tasks = await f.engine.waitForRun(run, { pollMs: 1 });
    expect(states(tasks)).toEqual([
      'P001#1/0:error',
      'P002#1/0:done',
      '*/1:skipped',
      'P001#1/2:skipped',
      'P002#1/2:skipped',
    ]);
  });

  it('waits on another engine by handover: submitted only once every item`s earlier job ended', async () => {
    const run = f.run([{ queue: 'cluster' }, { group: true }]);
    await f.engine.submitRun(run);
    expect(states(f.tasks(run))).toEqual(['P001#1/0:queued', 'P002#1/0:queued', '*/1:pending']);
    for (const id of [f.executorId(run, 'P001#1', 0), f.executorId(run, 'P002#1', 0)]) {
      f.slurm.start(id);
      f.slurm.finish(id, 0);
    }
    await f.engine.poll();
    expect(states(f.tasks(run))[2]).toBe('*/1:queued');
    expect(f.local.specOf(f.executorId(run, '*', 1)).after).toEqual([]);
    complete(f.executorId(run, '*', 1));
    const tasks = await f.engine.waitForRun(run, { pollMs: 1 });
    expect(states(tasks)[2]).toBe('*/1:done');
  });

  it('keeps the exit records of the tasks it waits for until it ended (an SGE wrapper reads them)', async () => {
    const run = f.run([{}, { group: true }]);
    await f.engine.submitRun(run);
    const items = f.tasks(run).filter((t) => t.job_index === 0);
    for (const t of items) writeFileSync(join(t.log_dir, 'exit'), '0 exit h 1 2\n');
    for (const t of items) complete(f.executorId(run, t.item, 0));
    await f.engine.poll();
    f.local.start(f.executorId(run, '*', 1));
    await f.engine.poll();
    expect(states(f.tasks(run))[2]).toBe('*/1:running');
    expect(items.map((t) => existsSync(join(t.log_dir, 'exit')))).toEqual([true, true]);
    f.local.finish(f.executorId(run, '*', 1), 0);
    await f.engine.waitForRun(run, { pollMs: 1 });
    expect(items.map((t) => existsSync(join(t.log_dir, 'exit')))).toEqual([false, false]);
  });

  it('is rerun over every item of its run: a group job over the failed items alone would be wrong', async () => {
    const run = f.run([{}, { group: true }]);
    await f.engine.submitRun(run);
    complete(f.executorId(run, 'P001#1', 0), 2);
    complete(f.executorId(run, 'P002#1', 0));
    await f.engine.waitForRun(run, { pollMs: 1 });
    const plan = planRerun(f.catalog.db, f.project, run, undefined);
    expect(plan?.resolution.items.map((i) => i.item)).toEqual(['P001#1', 'P002#1']);
    expect(plan?.resolution.group?.items).toEqual(['P001#1', 'P002#1']);
  });

  it('is refused in a run mode that shares scheduler jobs between items', () => {
    try {
      f.run([{}, { group: true }], 'per-item');
      expect.unreachable();
    } catch (error) {
      if (!isCohortError(error)) throw error;
      expect(error.message).toMatch(/Run mode 'per-item' cannot run the group-level job 'J1'/);
      expect(error.hint).toBe('Run with --mode chained.');
    }
  });
});
