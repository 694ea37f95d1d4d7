import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createServerFixture, type ServerFixture } from '../test-fixture.js';

// "Debug in Jupyter" over the API with Debian's jupyter-notebook on the local executor: the server
// task starts for a batch job before any run, only its owner gets the URL, bad requests are refused.

const BATCH = {
  name: 'api-debug',
  level: 'study',
  jobs: [
    {
      name: 'Echo',
      language: 'python',
      script: 'print(open($f1).read())',
      args: [{ type: 'FILE', name: 'f1', patterns: ['t1/s001.nii'], ref: { kind: 'current' } }],
    },
  ],
};

describe('POST /debug and GET tasks/:id/notebook', () => {
  let f: ServerFixture;
  beforeAll(async () => {
    f = await createServerFixture({ dan: [['alpha', 'run']] });
  });
  afterAll(async () => {
    await f.close();
  });

  it("starts a notebook server for a batch's job and one item; only its owner gets the URL", async () => {
    const ana = await f.login('ana');
    const started = await call(f.app, ana, 'POST', '/api/projects/alpha/debug', {
      batch: BATCH,
      job: 0,
      item: 'P001#20200101',
    });
    expect(started.status, JSON.stringify(started.json)).toBe(200);
    const { taskId } = started.json as { taskId: number };
    const path = `/api/projects/alpha/tasks/${taskId}/notebook`;
    await expect
      .poll(
        async () => {
          const answer = (await call(f.app, ana, 'GET', path)).json as {
            url: string | null;
            error: string | null;
          };
          return answer.url ?? answer.error ?? '';
        },
        { timeout: 90_000, interval: 300 },
      )
      .toMatch(
        new RegExp(`^http://127\\.0\\.0\\.1:\\d+/cohort/task-${taskId}/notebooks/notebook\\.ipynb\\?token=`),
      );
    // Another user who may run in the project still does not get the token; a reader may not ask.
    expect((await call(f.app, await f.login('dan'), 'GET', path)).status).toBe(403);
    expect((await call(f.app, await f.login('ben'), 'GET', path)).status).toBe(403);
    // A notebook task is no job to debug.
    const again = await call(f.app, ana, 'POST', '/api/projects/alpha/debug', { task: taskId });
    expect(again.status).toBe(400);
    expect(JSON.stringify(again.json)).toContain('is itself a notebook task');
    // Save back: the saved batch's job against the notebook's (unchanged) job cell, then a missing batch.
    await call(f.app, ana, 'POST', '/api/projects/alpha/batches', { batch: BATCH });
    const save = await call(f.app, ana, 'POST', `${path}/save`, { apply: true });
    expect(save.status, JSON.stringify(save.json)).toBe(200);
    expect((save.json as { diff: string; previous?: string }).diff).toBe('');
    const missing = await call(f.app, ana, 'POST', `${path}/save`, { batch: 'nowhere/none' });
    expect(missing.status).toBe(404);
    const killed = await call(f.app, ana, 'POST', '/api/projects/alpha/tasks/actions', {
      action: 'kill',
      ids: [taskId],
    });
    expect(killed.status).toBe(200);
    await expect
      .poll(async () => ((await call(f.app, ana, 'GET', path)).json as { state: string }).state, {
        timeout: 30_000,
        interval: 300,
      })
      .toBe('killed');
  }, 150_000);

  it('refuses bad requests with the problem named', async () => {
    const ana = await f.login('ana');
    const post = (body: unknown) => call(f.app, ana, 'POST', '/api/projects/alpha/debug', body);
    const noItem = await post({ batch: BATCH, job: 0, item: 'P999#X' });
    expect(noItem.status).toBe(400);
    expect(JSON.stringify(noItem.json)).toContain('selects 0 items');
    const noJob = await post({ batch: BATCH, job: 3, item: 'P001#20200101' });
    expect(noJob.status).toBe(400);
    expect(JSON.stringify(noJob.json)).toContain('there is no job 4');
    expect((await post({ task: 99_999 })).status).toBe(404);
    expect((await post({ task: 'x' })).status).toBe(400);
  });
});
