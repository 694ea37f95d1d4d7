import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateBatch } from '../batches/batch-definition.js';
import { resolveBatch } from '../batches/resolve-batch.js';
import { createEngineFixture, type EngineFixture } from './engine-fixture.js';
import type { CreatedTasks } from './run-builder.js';
import type { RunDriver } from './run-supervisor.js';
import { startRun } from './start-run.js';
import { unfinishedRuns } from './store/run-store.js';
import { tasksOfRun } from './store/task-store.js';
import { takeUnfinishedRuns } from './unfinished-runs.js';

let f: EngineFixture;
beforeEach(async () => {
  f = await createEngineFixture();
});
afterEach(() => f.close());

/** A batch of `jobs` bash jobs over the fixture's two studies. */
function input(jobs: number) {
  const batch = validateBatch({
    name: 'b',
    level: 'study',
    jobs: Array.from({ length: jobs }, (_, i) => ({
      name: `J${i}`,
      language: 'bash',
      script: `echo ${i}`,
      args: [],
    })),
  });
  const resolution = resolveBatch(f.catalog.db, f.project, batch);
  return { batch, resolution, mode: 'chained' as const, owner: 'test', selection: '*' };
}

/** A driver that takes the chunks as they come and notes what the run looked like meanwhile. */
class ChunkDriver implements RunDriver {
  readonly chunks: number[][] = [];
  readonly unfinished: string[] = [];
  constructor(private readonly stopAfter = Infinity) {}
  /** Runs given whole. */
  readonly whole: number[] = [];
  start(runId: number): Promise<void> {
    this.whole.push(runId);
    return Promise.resolve();
  }
  startCreating(runId: number, first: CreatedTasks, more: () => CreatedTasks | undefined): Promise<void> {
    for (let chunk: CreatedTasks | undefined = first; chunk !== undefined; chunk = more()) {
      this.chunks.push(chunk.rows.map((r) => r.id));
      for (const r of unfinishedRuns(f.catalog.db, f.project.id))
        this.unfinished.push(`${r.runId}:${r.created}/${r.planned}`);
      // Rows and provenances as stored, without reading them back.
      const ids = new Set(chunk.rows.map((r) => r.id));
      expect(chunk.rows).toEqual(tasksOfRun(f.catalog.db, runId).filter((t) => ids.has(t.id)));
      for (const row of chunk.rows) expect(chunk.provenances.get(row.id)?.job.name).toBe(row.job_name);
      if (this.chunks.length >= this.stopAfter) break;
    }
    return Promise.resolve();
  }
}

describe('a run created in chunks', () => {
  it('creates every task, chunk by chunk doubling up to the largest, in the order of a run created whole', async () => {
    const driver = new ChunkDriver();
    const run = await startRun(f.catalog, f.project, input(5), driver, { first: 2, largest: 4 });
    expect(run.tasks).toBe(10);
    expect(driver.chunks.map((c) => c.length)).toEqual([2, 4, 4]);
    const tasks = tasksOfRun(f.catalog.db, run.runId);
    expect(tasks.map((t) => t.id)).toEqual(driver.chunks.flat());
    // Item by item, each item's jobs in order: as createRun has them.
    expect(tasks.map((t) => `${t.item}/${t.job_index}`)).toEqual(
      ['P001#1', 'P002#1'].flatMap((item) => [0, 1, 2, 3, 4].map((j) => `${item}/${j}`)),
    );
    // Told as unfinished while chunks remain; not once the last is in.
    expect(driver.unfinished).toEqual([`${run.runId}:2/10`, `${run.runId}:6/10`]);
    expect(unfinishedRuns(f.catalog.db, f.project.id)).toEqual([]);
  });

  it('leaves a run whose creation stopped marked unfinished, told once by takeUnfinishedRuns', async () => {
    const driver = new ChunkDriver(2); // the runner "dies" after two chunks
    const run = await startRun(f.catalog, f.project, input(5), driver, { first: 2, largest: 4 });
    expect(tasksOfRun(f.catalog.db, run.runId)).toHaveLength(6);
    expect(takeUnfinishedRuns(f.catalog, f.project.id)).toEqual([
      { runId: run.runId, created: 6, planned: 10 },
    ]);
    expect(takeUnfinishedRuns(f.catalog, f.project.id)).toEqual([]);
  });

  it('creates a run whole for a driver that takes only whole runs, and when it fits in the first chunk', async () => {
    const started: number[] = [];
    const whole: RunDriver = { start: (runId) => Promise.resolve(void started.push(runId)) };
    const run = await startRun(f.catalog, f.project, input(5), whole, { first: 2, largest: 4 });
    expect(started).toEqual([run.runId]);
    expect(tasksOfRun(f.catalog.db, run.runId)).toHaveLength(10);
    const both = new ChunkDriver();
    const one = await startRun(f.catalog, f.project, input(1), both, { first: 2, largest: 4 });
    expect(both.whole).toEqual([one.runId]);
    expect(both.chunks).toEqual([]);
    expect(tasksOfRun(f.catalog.db, one.runId)).toHaveLength(2);
    expect(unfinishedRuns(f.catalog.db, f.project.id)).toEqual([]);
  });
});
