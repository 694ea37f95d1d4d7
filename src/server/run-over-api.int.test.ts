import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  GridResponse,
  Page,
  RunProgressResponse,
  RunResponse,
  StudyRow,
  TaskActionResponse,
  TaskEvent,
  TaskLog,
} from './api-types.js';
import { bashBatch, createServerFixture, readSse, type ServerFixture } from './test-fixture.js';

let f: ServerFixture;
let base: string;
let cookie: string;
let server: ReturnType<typeof serve>;

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { Cookie: cookie, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as T };
}

beforeAll(async () => {
  f = await createServerFixture();
  cookie = await f.login('ana');
  f.context.events.start(200);
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: f.app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve(info.port),
    );
  });
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  (server as Server).closeAllConnections();
  await new Promise((r) => server.close(r));
  await f.close();
});

const FAILING = 'echo "checking $f1"\ncase "$COHORT_ITEM" in P002*) echo "bad scan" >&2; exit 3;; esac';

describe('a run started over the API', () => {
  it('runs on the local executor, its states arrive over SSE, and the erroneous subgroup reruns fixed', async () => {
    const controller = new AbortController();
    const stream = await fetch(`${base}/api/events?project=alpha`, {
      headers: { Cookie: cookie },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    const preview = await api<{ summary: { ready: number } }>('POST', '/api/projects/alpha/preview', {
      batch: bashBatch(FAILING),
    });
    expect(preview.json.summary.ready).toBe(2);

    const run = await api<RunResponse>('POST', '/api/projects/alpha/runs', { batch: bashBatch(FAILING) });
    expect(run.status).toBe(201);
    expect(run.json.tasks).toBe(2);
    const ended = (events: readonly { event: string; data: string }[]): number =>
      events.filter((e) => e.event === 'task' && /"state":"(done|error)"/.test(e.data)).length;
    const events = await readSse(stream, (e) => ended(e) >= 2, 30_000);
    controller.abort();
    const states = events
      .filter((e) => e.event === 'task')
      .map((e) => JSON.parse(e.data) as TaskEvent)
      .map((e) => `${e.task.item}:${e.task.state}`);
    expect(states).toContain('P001#20200101:done');
    expect(states).toContain('P002#20200202:error');
    expect(states.some((s) => s.endsWith(':queued') || s.endsWith(':running'))).toBe(true);

    const grid = await api<GridResponse>(
      'GET',
      `/api/projects/alpha/tasks?all=1&run=${run.json.runId}&sort=item`,
    );
    expect(grid.json.tasks.map((t) => [t.item, t.state, t.owner])).toEqual([
      ['P001#20200101', 'done', 'ana'],
      ['P002#20200202', 'error', 'ana'],
    ]);
    const progress = await api<RunProgressResponse>('GET', '/api/projects/alpha/runs/progress');
    expect(progress.json.runs).toEqual([{ runId: run.json.runId, counts: { done: 1, error: 1 } }]);
    const failed = grid.json.tasks[1];
    expect(failed?.error).toContain('bad scan');
    const log = await api<TaskLog>('GET', `/api/projects/alpha/tasks/${grid.json.tasks[0]?.id ?? 0}/log`);
    expect(log.json.data).toContain('checking');
    const errLog = await api<TaskLog>(
      'GET',
      `/api/projects/alpha/tasks/${failed?.id ?? 0}/log?stream=stderr`,
    );
    expect(errLog.json.data).toContain('bad scan');

    const erroneous = await api<Page<StudyRow>>('GET', '/api/projects/alpha/studies?filter=JOB:e');
    expect(erroneous.json.items.map((s) => [s.ref, s.jobs.e])).toEqual([['P002#20200202', 1]]);

    const rerun = await api<RunResponse>('POST', `/api/projects/alpha/runs/${run.json.runId}/rerun`, {
      batch: bashBatch('echo "fixed $f1"'),
    });
    expect(rerun.status).toBe(201);
    expect(rerun.json.tasks).toBe(1);
    const deadline = Date.now() + 30_000;
    let last: GridResponse | undefined;
    while (Date.now() < deadline) {
      last = (await api<GridResponse>('GET', `/api/projects/alpha/tasks?all=1&run=${rerun.json.runId}`)).json;
      if (last.tasks.every((t) => t.state === 'done')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(last?.tasks.map((t) => [t.item, t.state])).toEqual([['P002#20200202', 'done']]);
    expect((await api<Page<StudyRow>>('GET', '/api/projects/alpha/studies?filter=JOB:e')).json.total).toBe(0);
  });

  it('follows a log over SSE until the task ends, and kills a running task', async () => {
    const run = await api<RunResponse>('POST', '/api/projects/alpha/runs', {
      batch: bashBatch('echo start; sleep 30; echo never'),
      filter: 'P001',
    });
    let taskId = 0;
    for (let i = 0; i < 100 && taskId === 0; i++) {
      const grid = await api<GridResponse>(
        'GET',
        `/api/projects/alpha/tasks?run=${run.json.runId}&state=running`,
      );
      taskId = grid.json.tasks[0]?.id ?? 0;
      if (taskId === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(taskId).toBeGreaterThan(0);
    const follow = await fetch(`${base}/api/projects/alpha/tasks/${taskId}/log?follow=1`, {
      headers: { Cookie: cookie },
    });
    setTimeout(
      () => void api('POST', '/api/projects/alpha/tasks/actions', { action: 'kill', ids: [taskId] }),
      500,
    );
    const events = await readSse(follow, (e) => e.some((x) => x.event === 'end'), 30_000);
    expect(
      events
        .filter((e) => e.event === 'log')
        .map((e) => (JSON.parse(e.data) as { data: string }).data)
        .join(''),
    ).toContain('start');
    expect(events.at(-1)).toMatchObject({ event: 'end', data: JSON.stringify({ state: 'killed' }) });
  });

  it('restarts ended tasks, suspends and resumes, kills all of a project, clears failed ones, and searches the grid', async () => {
    const first = await api<RunResponse>('POST', '/api/projects/alpha/runs', {
      batch: bashBatch('exit 1'),
      filter: 'P001',
    });
    const wait = async (runId: number, done: (g: GridResponse) => boolean): Promise<GridResponse> => {
      for (let i = 0; i < 300; i++) {
        const grid = (await api<GridResponse>('GET', `/api/projects/alpha/tasks?all=1&run=${runId}`)).json;
        if (done(grid)) return grid;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`run ${runId} did not get there`);
    };
    const failed = await wait(first.json.runId, (g) => g.tasks.every((t) => t.state === 'error'));
    const restart = await api<TaskActionResponse>('POST', '/api/projects/alpha/tasks/actions', {
      action: 'restart',
      ids: failed.tasks.map((t) => t.id),
    });
    expect(restart.json.results.map((r) => r.ok)).toEqual([true]);
    const again = restart.json.runIds?.[0] ?? 0;
    expect(again).toBeGreaterThan(first.json.runId);
    await wait(again, (g) => g.tasks.length === 1 && g.tasks.every((t) => t.state === 'error'));

    const search = await api<GridResponse>('GET', `/api/projects/alpha/tasks?search=P001&state=error`);
    expect(search.json.tasks.length).toBeGreaterThanOrEqual(2);
    expect(search.json.counts.error).toBeGreaterThanOrEqual(2);

    const slow = await api<RunResponse>('POST', '/api/projects/alpha/runs', { batch: bashBatch('sleep 30') });
    const running = await wait(slow.json.runId, (g) => g.tasks.some((t) => t.state === 'running'));
    const victim = running.tasks.find((t) => t.state === 'running')?.id ?? 0;
    const act = (action: string): Promise<unknown> =>
      api('POST', '/api/projects/alpha/tasks/actions', { action, ids: [victim] });
    await act('suspend');
    await wait(slow.json.runId, (g) => g.tasks.some((t) => t.id === victim && t.state === 'suspended'));
    await act('resume');
    await wait(slow.json.runId, (g) => g.tasks.some((t) => t.id === victim && t.state === 'running'));
    const killAll = await api<TaskActionResponse>('POST', '/api/projects/alpha/tasks/kill-all', {});
    expect(killAll.json.results.length).toBe(2);
    await wait(slow.json.runId, (g) => g.tasks.every((t) => t.state === 'killed'));

    const cleared = await api<{ cleared: number }>('POST', '/api/projects/alpha/tasks/clear', {});
    expect(cleared.json.cleared).toBeGreaterThanOrEqual(4);
    expect((await api<GridResponse>('GET', '/api/projects/alpha/tasks')).json.tasks).toEqual([]);
  });
});
