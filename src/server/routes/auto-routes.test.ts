import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveBatch } from '../../batches/batch-store.js';
import { call, createServerFixture, type ServerFixture } from '../test-fixture.js';

let f: ServerFixture;
let ana: string;
let ben: string;

beforeAll(async () => {
  f = await createServerFixture();
  ana = await f.login('ana');
  ben = await f.login('ben');
  saveBatch(f.catalog.db, f.alpha, {
    name: 'noop',
    level: 'study',
    jobs: [{ name: 'Noop', language: 'bash', script: 'true', args: [] }],
  });
});
afterAll(async () => {
  await f.close();
});

describe('autoexec rules over the API', () => {
  it('lets run rights add and remove rules, read rights list them, and says what is wrong', async () => {
    const rule = { name: 'nightly', batch: 'noop', trigger: 'quiet:30', filter: 'STAG:x', chunk: 5 };
    expect((await call(f.app, ben, 'POST', '/api/projects/alpha/auto', rule)).status).toBe(403);
    const added = await call(f.app, ana, 'POST', '/api/projects/alpha/auto', rule);
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({
      name: 'nightly',
      trigger: { kind: 'quiet', minutes: 30 },
      owner: 'ana',
    });
    const listed = await call(f.app, ben, 'GET', '/api/projects/alpha/auto');
    expect(listed.json).toMatchObject({ rules: [{ name: 'nightly', chunk: 5 }], log: [] });
    const bad = await call(f.app, ana, 'POST', '/api/projects/alpha/auto', {
      ...rule,
      name: 'x',
      trigger: 'often',
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain("Unknown trigger 'often'");
    const missing = await call(f.app, ana, 'POST', '/api/projects/alpha/auto', {
      ...rule,
      name: 'y',
      batch: 'gone',
    });
    expect(missing.status).toBe(404);
    // Another project's rules are not reachable.
    expect((await call(f.app, ana, 'GET', '/api/projects/beta/auto')).status).toBe(404);
    expect((await call(f.app, ben, 'DELETE', '/api/projects/alpha/auto/nightly')).status).toBe(403);
    expect((await call(f.app, ana, 'DELETE', '/api/projects/alpha/auto/nightly')).status).toBe(200);
    expect((await call(f.app, ana, 'DELETE', '/api/projects/alpha/auto/nightly')).status).toBe(404);
  });
});
