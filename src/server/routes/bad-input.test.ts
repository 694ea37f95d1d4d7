import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleError } from '../http-errors.js';
import { call, createServerFixture, type ServerFixture } from '../test-fixture.js';

let f: ServerFixture;
let root: string;

beforeAll(async () => {
  f = await createServerFixture();
  root = await f.login('root');
});
afterAll(async () => {
  await f.close();
});

const bodies: Array<[string, string, unknown]> = [
  ['POST', '/api/auth/login', '{"name": "ana", '],
  ['POST', '/api/auth/login', { name: 42 }],
  ['POST', '/api/auth/login', []],
  ['POST', '/api/auth/tokens', { name: '' }],
  ['POST', '/api/users', { name: '../x', password: 'long enough' }],
  ['POST', '/api/users', { name: 'short', password: 'x' }],
  ['PUT', '/api/projects/alpha/roles/ana', { role: 'owner' }],
  ['POST', '/api/projects/alpha/tags', { action: 'add', level: 'planet', ids: [1], tags: ['x'] }],
  ['POST', '/api/projects/alpha/tags', { action: 'add', level: 'study', ids: ['1'], tags: ['x'] }],
  ['POST', '/api/projects/alpha/files', { paths: 'P001' }],
  ['POST', '/api/projects/alpha/batches', { batch: { name: 'b', level: 'study', jobs: [] } }],
  ['POST', '/api/projects/alpha/batches', { batch: null }],
  ['POST', '/api/projects/alpha/batches', { batch: { name: 'b', level: 'study', jobs: [{ name: 'j' }] } }],
  ['POST', '/api/projects/alpha/preview', { batch: 'not a batch' }],
  [
    'POST',
    '/api/projects/alpha/preview',
    { batch: { name: 'b', level: 'study', jobs: [{}] }, filter: 'P00 &' },
  ],
  ['POST', '/api/projects/alpha/preview', { batch: {}, offset: -1 }],
  ['POST', '/api/projects/alpha/preview', { batch: {}, limit: 1.5 }],
  ['POST', '/api/projects/alpha/runs', { batch: {}, mode: 'sideways' }],
  ['POST', '/api/projects/alpha/runs', { batch: {}, units: -1 }],
  ['POST', '/api/projects/alpha/tasks/actions', { action: 'explode', ids: [1] }],
  ['POST', '/api/projects/alpha/tasks/actions', { action: 'kill', ids: [] }],
  ['POST', '/api/projects/alpha/tasks/clear', { done: 'yes' }],
  ['POST', '/api/script-variables', { language: 'cobol', script: '' }],
  ['POST', '/api/projects/alpha/runs/abc/rerun', {}],
];

const queries = [
  '/api/projects/alpha/subjects?filter=STAG:',
  '/api/projects/alpha/subjects?filter=P0%20%26',
  '/api/projects/alpha/subjects?limit=-5',
  '/api/projects/alpha/subjects?limit=abc',
  '/api/projects/alpha/studies?offset=1.5',
  '/api/projects/alpha/files?pattern=%00',
  '/api/projects/alpha/tasks?state=exploded',
  '/api/projects/alpha/tasks?sort=-colour',
  '/api/projects/alpha/tasks?run=0',
  '/api/projects/alpha/tasks?limit=0',
  '/api/projects/alpha/tasks?limit=100&offset=-1',
  '/api/projects/alpha/file?path=',
  '/api/projects/alpha/batches?favourites=maybe',
  '/api/projects/alpha/files/abc',
];

describe('malformed requests', () => {
  it.each(bodies)('%s %s with a bad body answers 400 with a message', async (method, path, body) => {
    const res = await call(f.app, root, method, path, body);
    expect(res.status, JSON.stringify(res.json)).toBe(400);
    const error = (res.json as { error: { code: string; message: string } }).error;
    expect(error.code).toMatch(/^(INVALID_INPUT|SYNTAX)$/);
    expect(error.message.length).toBeGreaterThan(5);
  });

  it.each(queries)('GET %s answers 400 with a message', async (path) => {
    const res = await call(f.app, root, 'GET', path);
    expect(res.status, JSON.stringify(res.json)).toBe(400);
    expect(res.json).toMatchObject({ error: { message: expect.any(String) } });
  });

  it('pages the grid with limit and offset, the total beside the page', async () => {
    const all = await call(f.app, root, 'GET', '/api/projects/alpha/tasks?all=1');
    const page = await call(f.app, root, 'GET', '/api/projects/alpha/tasks?all=1&limit=1&offset=0');
    expect(page.status).toBe(200);
    const whole = all.json as { tasks: unknown[]; total?: number };
    expect(whole.total).toBeUndefined();
    expect(page.json).toMatchObject({ total: whole.tasks.length, tasks: whole.tasks.slice(0, 1) });
  });

  it('points at the bad term of a filter', async () => {
    const res = await call(
      f.app,
      root,
      'GET',
      `/api/projects/alpha/subjects?filter=${encodeURIComponent('P00 & BOGUS:x')}`,
    );
    expect(res.json).toMatchObject({ error: { code: 'SYNTAX', position: 6 } });
  });

  it('names the bad field', async () => {
    const res = await call(f.app, root, 'POST', '/api/projects/alpha/tags', {
      action: 'add',
      level: 'study',
      ids: [1],
      tags: 'x',
    });
    expect(res.json).toMatchObject({ error: { code: 'INVALID_INPUT', field: 'tags' } });
  });

  it('answers JSON 404 for unknown API paths and a placeholder page at /', async () => {
    const res = await call(f.app, root, 'GET', '/api/nothing/here');
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const page = await f.app.request('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Cohort server');
  });

  it('answers 500 without internals for an unexpected error (a bug)', async () => {
    const app = new Hono();
    app.onError(handleError);
    app.get('/boom', () => {
      throw new Error('secret internals at /srv/cohort/db.ts:42');
    });
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret');
    expect(JSON.parse(text)).toMatchObject({
      error: { code: 'INTERNAL', message: 'Internal server error.' },
    });
  });
});
