import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateBatch } from '../batches/batch-definition.js';
import { resolveBatch } from '../batches/resolve-batch.js';
import { createEngineFixture, type EngineFixture } from './engine-fixture.js';
import type { CreatedTasks } from './run-builder.js';
import type { RunDriver } from './run-supervisor.js';
import { createRun } from './create-run.js';
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
  /** `item/job` of each chunk's tasks, in the order created. */
  readonly made: string[][] = [];
  readonly lasts: boolean[] = [];
  readonly unfinished: string[] = [];
  constructor(
    private readonly stopAfter = Infinity,
    /** Called after the first chunk: another run created meanwhile, say. */
    private readonly between: () => void = () => undefined,
  ) {}
  /** Runs given whole. */
  readonly whole: number[] = [];
  start(runId: number): Promise<void> {
    this.whole.push(runId);
    return Promise.resolve();
  }
  startCreating(runId: number, first: CreatedTasks, more: () => CreatedTasks | undefined): Promise<void> {
    for (let chunk: CreatedTasks | undefined = first; chunk !== undefined; chunk = more()) {
      this.chunks.push(chunk.rows.map((r) => r.id));
      this.made.push(chunk.rows.map((r) => `${r.item}/${r.job_index}`));
      this.lasts.push(chunk.last);
      for (const r of unfinishedRuns(f.catalog.db, f.project.id))
        this.unfinished.push(`${r.runId}:${r.created}/${r.planned}`);
      // Rows and provenances as stored, without reading them back.
      const ids = new Set(chunk.rows.map((r) => r.id));
      expect([...chunk.rows].sort((a, b) => a.id - b.id)).toEqual(
        tasksOfRun(f.catalog.db, runId).filter((t) => ids.has(t.id)),
      );
      for (const row of chunk.rows) expect(chunk.provenances.get(row.id)?.job.name).toBe(row.job_name);
      if (this.chunks.length >= this.stopAfter) break;
      if (this.chunks.length === 1) this.between();
    }
    return Promise.resolve();
  }
}

describe('a run created in chunks', () => {
  it('creates every task, chunk by chunk doubling up to the largest, job by job, under the ids of a run created whole', async () => {
    const driver = new ChunkDriver();
    const run = await startRun(f.catalog, f.project, input(5), driver, { first: 2, largest: 4 });
    expect(run.tasks).toBe(10);
    expect(driver.chunks.map((c) => c.length)).toEqual([2, 4, 4]);
    expect(driver.lasts).toEqual([false, false, true]);
    // Job by job, so that the first chunk's tasks can all run at once.
    expect(driver.made).toEqual([
      ['P001#1/0', 'P002#1/0'],
      ['P001#1/1', 'P002#1/1', 'P001#1/2', 'P002#1/2'],
      ['P001#1/3', 'P002#1/3', 'P001#1/4', 'P002#1/4'],
    ]);
    const tasks = tasksOfRun(f.catalog.db, run.runId);
    expect(tasks.map((t) => t.id)).toEqual(driver.chunks.flat().sort((a, b) => a - b));
    // Ids item by item, each item's jobs in order: as createRun gives them.
    expect(tasks.map((t) => `${t.item}/${t.job_index}`)).toEqual(
      ['P001#1', 'P002#1'].flatMap((item) => [0, 1, 2, 3, 4].map((j) => `${item}/${j}`)),
    );
    // Told as unfinished while chunks remain; not once the last is in.
    expect(driver.unfinished).toEqual([`${run.runId}:2/10`, `${run.runId}:6/10`]);
    expect(unfinishedRuns(f.catalog.db, f.project.id)).toEqual([]);
  });

  it('keeps the ids of its later chunks from a run created meanwhile', async () => {
    let other = 0;
    const driver = new ChunkDriver(Infinity, () => (other = createRun(f.catalog, f.project, input(1)).runId));
    const run = await startRun(f.catalog, f.project, input(5), driver, { first: 2, largest: 4 });
    const ids = tasksOfRun(f.catalog.db, run.runId).map((t) => t.id);
    expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => (ids[0] ?? 0) + i));
    const otherIds = tasksOfRun(f.catalog.db, other).map((t) => t.id);
    expect(otherIds).toHaveLength(2);
    expect(Math.min(...otherIds)).toBeGreaterThan(Math.max(...ids));
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
