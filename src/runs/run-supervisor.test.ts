import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { validateBatch } from '../batches/batch-definition.js';
import { resolveBatch } from '../batches/resolve-batch.js';
import { startServer } from '../server/serve.js';
import { bashBatch, createServerFixture, type ServerFixture } from '../server/test-fixture.js';
import { createRun } from './create-run.js';
import { tasksOfRun } from './store/task-store.js';

let f: ServerFixture;
beforeAll(async () => {
  f = await createServerFixture();
});
afterAll(async () => {
  await f.close();
});

/** A run of one bash job over the fixture's studies whose runner is gone (as after a crash). */
function orphanRun(script: string): { runId: number } {
  const batch = validateBatch(bashBatch(script));
  return createRun(f.catalog, f.alpha, {
    batch,
    resolution: resolveBatch(f.catalog.db, f.alpha, batch),
    mode: 'chained',
    owner: 'crashed',
    selection: '*',
  });
}

describe('the run supervisor', () => {
  it('takes over a run left without a runner and drives it to its end', async () => {
    const run = orphanRun('echo adopted');
    expect(await f.context.runs.adopt()).toEqual([run.runId]);
    // Asked again (a second look at start), the run is already this supervisor's.
    expect(await f.context.runs.adopt()).toEqual([]);
    for (let i = 0; i < 200 && f.context.runs.activeRuns().length > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(tasksOfRun(f.catalog.db, run.runId).map((t) => t.state)).toEqual(['done', 'done']);
    expect(f.context.runs.activeRuns()).toEqual([]);
  });
});

describe('a task whose stored provenance is damaged', () => {
  it('does not stop a server adopting its run: the task ends in error saying why, the others run', async () => {
    const run = orphanRun('echo fine');
    const [damaged, healthy] = tasksOfRun(f.catalog.db, run.runId);
    // The row as an edit or another version might leave it: no provenance at all.
    f.catalog.db.prepare('UPDATE tasks SET resolved = ? WHERE id = ?').run('', damaged!.id);
    const told = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    // The server adopts the run left without a runner at start-up (it threw DAMAGED_RECORD here).
    const server = await startServer(f.catalog.config, { port: 0, pollMs: 50, staticDir: f.dir });
    try {
      expect((await fetch(`${server.url}/api/projects`)).status).toBe(401); // serving
      for (let i = 0; i < 200 && server.context.runs.activeRuns().length > 0; i++)
        await new Promise((r) => setTimeout(r, 50));
      const tasks = tasksOfRun(f.catalog.db, run.runId);
      const byId = new Map(tasks.map((t) => [t.id, t]));
      expect(byId.get(damaged!.id)).toMatchObject({ state: 'error' });
      expect(byId.get(damaged!.id)?.error).toMatch(
        new RegExp(
          `^not run: The stored provenance of task ${damaged!.id} cannot be read \\(it is not JSON\\)\\. .*rerun`,
        ),
      );
      expect(byId.get(healthy!.id)).toMatchObject({ state: 'done' });
      const lines = told.mock.calls.map((c) => String(c[0]));
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`^cohort: task ${damaged!.id} of run ${run.runId} .* is marked in error`),
        ),
      );
      expect(lines).toContainEqual(expect.stringMatching(/resumed run\(s\)/));
    } finally {
      told.mockRestore();
      await server.close();
    }
  });
});
