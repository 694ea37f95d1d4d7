import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateBatch } from '../batches/batch-definition.js';
import { resolveBatch } from '../batches/resolve-batch.js';
import { createRun } from './create-run.js';
import { tasksOfRun } from './store/task-store.js';
import { bashBatch, createServerFixture, type ServerFixture } from '../server/test-fixture.js';

let f: ServerFixture;
beforeAll(async () => {
  f = await createServerFixture();
});
afterAll(async () => {
  await f.close();
});

describe('the run supervisor', () => {
  it('takes over a run left without a runner and drives it to its end', async () => {
    const batch = validateBatch(bashBatch('echo adopted'));
    const run = createRun(f.catalog, f.alpha, {
      batch,
      resolution: resolveBatch(f.catalog.db, f.alpha, batch),
      mode: 'chained',
      owner: 'crashed',
      selection: '*',
    });
    expect(await f.context.runs.adopt()).toEqual([run.runId]);
    // Asked again (a second look at start), the run is already this supervisor's.
    expect(await f.context.runs.adopt()).toEqual([]);
    for (let i = 0; i < 200 && f.context.runs.activeRuns().length > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(tasksOfRun(f.catalog.db, run.runId).map((t) => t.state)).toEqual(['done', 'done']);
    expect(f.context.runs.activeRuns()).toEqual([]);
  });
});
