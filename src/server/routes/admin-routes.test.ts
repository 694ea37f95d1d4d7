import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexResponse, QueuesResponse } from '../api-types.js';
import { call, createServerFixture, type ServerFixture } from '../test-fixture.js';

let f: ServerFixture;
let root: string;
let ana: string;
let cy: string;

beforeAll(async () => {
  f = await createServerFixture();
  root = await f.login('root');
  ana = await f.login('ana');
  cy = await f.login('cy');
});
afterAll(async () => {
  await f.close();
});

describe('queues over the API', () => {
  it('lets a project admin add, edit, choose as default and remove a queue; others only read', async () => {
    const gpu = { engine: 'slurm', target: 'gpu', defaults: { gpus: 1 }, schedulerArgs: ['--gres=gpu:1'] };
    expect((await call(f.app, ana, 'PUT', '/api/projects/alpha/queues/gpu', gpu)).status).toBe(403);
    expect((await call(f.app, cy, 'PUT', '/api/projects/beta/queues/gpu', gpu)).status).toBe(200);
    const edited = await call(f.app, cy, 'PUT', '/api/projects/beta/queues/gpu', { ...gpu, target: 'a100' });
    expect(edited.json).toMatchObject({ name: 'gpu', target: 'a100', global: false });
    expect((await call(f.app, cy, 'PUT', '/api/projects/beta/default-queue', { name: 'gpu' })).status).toBe(
      200,
    );
    const listed = (await call(f.app, cy, 'GET', '/api/projects/beta/queues')).json as QueuesResponse;
    expect(listed.default).toBe('gpu');
    expect(listed.queues.map((q) => q.name)).toEqual(expect.arrayContaining(['local', 'gpu']));
    // A global queue is every project's: a project admin may not make one.
    const global = await call(f.app, cy, 'PUT', '/api/projects/beta/queues/all', { ...gpu, global: true });
    expect(global.status).toBe(403);
    const bad = await call(f.app, cy, 'PUT', '/api/projects/beta/queues/x', { engine: 'pbs' });
    expect(bad.status).toBe(400);
    expect((await call(f.app, cy, 'DELETE', '/api/projects/beta/queues/gpu')).status).toBe(200);
    const after = (await call(f.app, cy, 'GET', '/api/projects/beta/queues')).json as QueuesResponse;
    expect(after.default).toBe('local');
  });
});

describe('projects over the API', () => {
  it('creates a project from a folder (server admins only) and rescans it (run role)', async () => {
    const folder = join(f.dir, 'gamma folder');
    mkdirSync(join(folder, 'G001/20220101/t1'), { recursive: true });
    writeFileSync(join(folder, 'G001/20220101/t1/s001.nii'), 'g');
    const body = { name: 'gamma', root: folder };
    expect((await call(f.app, ana, 'POST', '/api/projects', body)).status).toBe(403);
    const created = await call(f.app, root, 'POST', '/api/projects', body);
    expect(created.status).toBe(201);
    expect((created.json as IndexResponse).counts).toMatchObject({ subjectsAdded: 1, filesAdded: 1 });

    writeFileSync(join(f.alpha.root, 'P001/20200101/t1/s002.nii'), 'new');
    const rescan = await call(f.app, ana, 'POST', '/api/projects/alpha/rescan');
    expect(rescan.status).toBe(200);
    expect((rescan.json as IndexResponse).counts.filesAdded).toBe(1);
    const missing = await call(f.app, root, 'POST', '/api/projects', {
      name: 'x',
      root: join(f.dir, 'nope'),
    });
    expect(missing.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(missing.json)).not.toContain('    at ');
  });
});
