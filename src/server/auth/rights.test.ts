import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBatch } from '../../batches/resolve-batch.js';
import { validateBatch } from '../../batches/batch-definition.js';
import { createRun } from '../../runs/create-run.js';
import { getTask } from '../../runs/store/task-store.js';
import type { TaskEvent } from '../api-types.js';
import { bashBatch, call, createServerFixture, readSse, type ServerFixture } from '../test-fixture.js';

let f: ServerFixture;
let ben: string;
let ana: string;
let cy: string;
let root: string;
let betaFile: number;
let betaSubject: number;
let betaTask: number;
let alphaTask: number;
let betaBatch: number;

function runIn(project: ServerFixture['alpha']): number {
  const batch = validateBatch(bashBatch('echo hi'));
  const run = createRun(f.catalog, project, {
    batch,
    resolution: resolveBatch(f.catalog.db, project, batch),
    mode: 'chained',
    owner: 'test',
    selection: '*',
  });
  return f.catalog.db.prepare('SELECT min(id) FROM tasks WHERE run_id = ?').pluck().get(run.runId) as number;
}

beforeAll(async () => {
  f = await createServerFixture();
  [ben = '', ana = '', cy = '', root = ''] = await Promise.all(
    ['ben', 'ana', 'cy', 'root'].map((n) => f.login(n)),
  );
  const db = f.catalog.db;
  betaFile = db.prepare('SELECT id FROM files WHERE project_id = ?').pluck().get(f.beta.id) as number;
  betaSubject = db.prepare('SELECT id FROM subjects WHERE project_id = ?').pluck().get(f.beta.id) as number;
  betaTask = runIn(f.beta);
  alphaTask = runIn(f.alpha);
  const saved = await call(f.app, cy, 'POST', '/api/projects/beta/batches', {
    batch: bashBatch('echo beta', 'secret-batch'),
  });
  betaBatch = (saved.json as { id: number }).id;
});
afterAll(async () => {
  await f.close();
});

describe('a user cannot read or run in a project of another', () => {
  it('lists only the projects the user may read; the server admin sees all', async () => {
    const names = async (auth: string): Promise<string[]> =>
      ((await call(f.app, auth, 'GET', '/api/projects')).json as Array<{ name: string }>).map((p) => p.name);
    expect(await names(ben)).toEqual(['alpha']);
    expect(await names(cy)).toEqual(['beta']);
    expect(await names(root)).toEqual(['alpha', 'beta']);
  });

  it('answers 404 for every read of another project, exactly as for a project that does not exist', async () => {
    const paths = [
      '/subjects',
      '/studies',
      '/files',
      `/files/${betaFile}`,
      `/files/${betaFile}/content`,
      '/file?path=Q001/20210101/t1/s001.nii',
      '/batches',
      `/batches/${betaBatch}`,
      '/tasks',
      `/tasks/${betaTask}`,
      `/tasks/${betaTask}/log`,
    ];
    for (const path of paths) {
      const other = await call(f.app, ben, 'GET', `/api/projects/beta${path}`);
      const missing = await call(f.app, ben, 'GET', `/api/projects/gamma${path}`);
      expect(other.status, path).toBe(404);
      expect(missing.status, path).toBe(404);
      expect(JSON.stringify(other.json).replace('beta', 'gamma'), path).toBe(JSON.stringify(missing.json));
    }
    const events = await call(f.app, ben, 'GET', '/api/events?project=beta');
    expect(events.status).toBe(404);
  });

  it("does not reach another project's ids through one's own project", async () => {
    for (const path of [
      `/files/${betaFile}`,
      `/files/${betaFile}/content`,
      `/tasks/${betaTask}`,
      `/tasks/${betaTask}/log`,
      `/batches/${betaBatch}`,
    ]) {
      expect((await call(f.app, ana, 'GET', `/api/projects/alpha${path}`)).status, path).toBe(404);
    }
    const tag = await call(f.app, ana, 'POST', '/api/projects/alpha/tags', {
      action: 'add',
      level: 'subject',
      ids: [betaSubject],
      tags: ['x'],
    });
    expect(tag.status).toBe(404);
    expect(
      f.catalog.db.prepare('SELECT count(*) FROM subject_tags WHERE subject_id = ?').pluck().get(betaSubject),
    ).toBe(0);
    const kill = await call(f.app, ana, 'POST', '/api/projects/alpha/tasks/actions', {
      action: 'kill',
      ids: [betaTask],
    });
    expect(kill.status).toBe(404);
    const rerun = await call(
      f.app,
      ana,
      'POST',
      `/api/projects/alpha/runs/${getTask(f.catalog.db, betaTask)?.run_id ?? 0}/rerun`,
      {},
    );
    expect(rerun.status).toBe(404);
    expect((await call(f.app, ana, 'DELETE', `/api/projects/alpha/batches/${betaBatch}`)).status).toBe(404);
  });

  it('refuses to run, act or write in another project (404) and in a read-only one (403)', async () => {
    const writes: Array<[string, string, unknown]> = [
      ['POST', '/runs', { batch: bashBatch('echo') }],
      ['POST', '/tasks/actions', { action: 'kill', ids: [alphaTask] }],
      ['POST', '/tasks/kill-all', {}],
      ['POST', '/tasks/clear', {}],
      ['POST', '/tags', { action: 'add', level: 'study', ids: [1], tags: ['x'] }],
      ['POST', '/batches', { batch: bashBatch('echo') }],
      ['PUT', '/roles/ben', { role: 'admin' }],
    ];
    for (const [method, path, body] of writes) {
      expect((await call(f.app, ben, method, `/api/projects/beta${path}`, body)).status, `beta ${path}`).toBe(
        404,
      );
      const own = await call(f.app, ben, method, `/api/projects/alpha${path}`, body);
      expect(own.status, `alpha ${path}`).toBe(403);
      expect(own.json).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    expect(getTask(f.catalog.db, alphaTask)?.state).toBe('pending');
  });

  it('lets only project admins manage roles, and only server admins manage users', async () => {
    expect((await call(f.app, ana, 'PUT', '/api/projects/alpha/roles/ben', { role: 'run' })).status).toBe(
      403,
    );
    expect((await call(f.app, cy, 'PUT', '/api/projects/alpha/roles/cy', { role: 'admin' })).status).toBe(
      404,
    );
    expect((await call(f.app, cy, 'PUT', '/api/projects/beta/roles/ben', { role: 'read' })).status).toBe(200);
    expect((await call(f.app, cy, 'GET', '/api/projects/beta/roles')).json).toEqual([
      { user: 'ben', role: 'read' },
      { user: 'cy', role: 'admin' },
    ]);
    expect((await call(f.app, cy, 'DELETE', '/api/projects/beta/roles/ben')).status).toBe(200);
    expect((await call(f.app, cy, 'GET', '/api/users')).status).toBe(403);
    expect(
      (await call(f.app, cy, 'POST', '/api/users', { name: 'eve', password: 'long enough' })).status,
    ).toBe(403);
    const made = await call(f.app, root, 'POST', '/api/users', { name: 'eve', password: 'long enough' });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ name: 'eve', admin: false });
  });

  it('sends task events only of readable projects', async () => {
    const res = await f.app.request('/api/events', { headers: { Cookie: ben } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const db = f.catalog.db;
    setTimeout(() => {
      for (const id of [betaTask, alphaTask]) {
        db.prepare(`UPDATE tasks SET state = 'held', updated_at = ? WHERE id = ?`).run(Date.now(), id);
      }
      f.context.events.pollDatabase();
    }, 200);
    const held = (e: { event: string; data: string }): boolean =>
      e.event === 'task' && e.data.includes('"held"');
    const events = await readSse(res, (e) => e.some(held), 5000);
    const tasks = events.filter((e) => e.event === 'task').map((e) => JSON.parse(e.data) as TaskEvent);
    expect(tasks.filter((t) => t.task.state === 'held').map((t) => t.task.id)).toEqual([alphaTask]);
    expect(new Set(tasks.map((t) => t.project))).toEqual(new Set(['alpha']));
  });
});
