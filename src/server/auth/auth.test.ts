import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateBatch } from '../../batches/batch-definition.js';
import { resolveBatch } from '../../batches/resolve-batch.js';
import { createRun, readJobCredential } from '../../runs/index.js';
import { createJobToken, resolveToken } from '../../users/api-tokens.js';
import { SESSION_TTL_MS } from '../../users/sessions.js';
import type { CreatedToken, MeResponse } from '../api-types.js';
import { bashBatch, call, createServerFixture, PASSWORD, type ServerFixture } from '../test-fixture.js';
import { MAX_LOGIN_FAILURES } from './login-limiter.js';

let f: ServerFixture;
beforeEach(async () => {
  f = await createServerFixture();
});
afterEach(async () => {
  await f.close();
});

describe('login and sessions', () => {
  it('logs in with the right password and sets an HttpOnly SameSite=Strict cookie', async () => {
    const res = await f.app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'ana', password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^cohort_session=cohs_/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const me = await call(f.app, cookie.split(';')[0] ?? '', 'GET', '/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ user: { name: 'ana', admin: false }, via: 'session' });
    expect((me.json as MeResponse).projects.map((p) => [p.name, p.role])).toEqual([['alpha', 'run']]);
  });

  it('refuses a wrong password and an unknown user alike, with 401', async () => {
    const wrong = await call(f.app, '', 'POST', '/api/auth/login', { name: 'ana', password: 'nope nope' });
    const unknown = await call(f.app, '', 'POST', '/api/auth/login', { name: 'zed', password: 'nope nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json).toEqual(unknown.json);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('rate-limits failed logins per user and address: 429 with Retry-After, even for the right password', async () => {
    for (let i = 0; i < MAX_LOGIN_FAILURES; i++) {
      expect(
        (await call(f.app, '', 'POST', '/api/auth/login', { name: 'ana', password: `bad ${i}xxxx` })).status,
      ).toBe(401);
    }
    const limited = await call(f.app, '', 'POST', '/api/auth/login', { name: 'ana', password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.json).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    // Another user from the same address is not locked out.
    expect(
      (await call(f.app, '', 'POST', '/api/auth/login', { name: 'ben', password: PASSWORD })).status,
    ).toBe(200);
    f.advance(16 * 60 * 1000);
    expect(
      (await call(f.app, '', 'POST', '/api/auth/login', { name: 'ana', password: PASSWORD })).status,
    ).toBe(200);
  });

  it('rejects an expired session with 401, and a logged-out one', async () => {
    const cookie = await f.login('ana');
    expect((await call(f.app, cookie, 'GET', '/api/projects')).status).toBe(200);
    f.advance(SESSION_TTL_MS + 1000);
    const expired = await call(f.app, cookie, 'GET', '/api/projects');
    expect(expired.status).toBe(401);
    expect(expired.json).toMatchObject({
      error: { code: 'UNAUTHENTICATED', message: 'The session has expired.' },
    });

    const again = await f.login('ana');
    expect((await call(f.app, again, 'POST', '/api/auth/logout')).status).toBe(200);
    expect((await call(f.app, again, 'GET', '/api/projects')).status).toBe(401);
  });

  it('requires authentication everywhere but login', async () => {
    for (const path of [
      '/api/projects',
      '/api/auth/me',
      '/api/auth/tokens',
      '/api/events',
      '/api/library',
      '/api/users',
    ]) {
      expect((await call(f.app, '', 'GET', path)).status, path).toBe(401);
    }
    expect((await call(f.app, 'cohs_forged', 'GET', '/api/projects')).status).toBe(401);
  });
});

describe('API tokens', () => {
  it('creates, uses, lists and revokes a token; the secret is shown once and stored hashed', async () => {
    const cookie = await f.login('ben');
    const created = await call(f.app, cookie, 'POST', '/api/auth/tokens', { name: 'laptop' });
    expect(created.status).toBe(201);
    const token = (created.json as CreatedToken).token;
    expect(token).toMatch(/^coh_/);
    const stored = f.catalog.db.prepare('SELECT token_hash FROM api_tokens').pluck().all() as string[];
    expect(stored).not.toContain(token);

    const me = await call(f.app, token, 'GET', '/api/auth/me');
    expect(me.json).toMatchObject({ user: { name: 'ben' }, via: 'token' });
    const list = await call(f.app, cookie, 'GET', '/api/auth/tokens');
    expect(JSON.stringify(list.json)).not.toContain(token);
    expect(list.json).toMatchObject([{ name: 'laptop' }]);

    // Another user cannot revoke it.
    const ana = await f.login('ana');
    const id = (created.json as CreatedToken).id;
    expect((await call(f.app, ana, 'DELETE', `/api/auth/tokens/${id}`)).status).toBe(404);
    expect((await call(f.app, cookie, 'DELETE', `/api/auth/tokens/${id}`)).status).toBe(200);
    expect((await call(f.app, token, 'GET', '/api/projects')).status).toBe(401);
  });

  it('refuses an expired token', async () => {
    const cookie = await f.login('ben');
    const created = await call(f.app, cookie, 'POST', '/api/auth/tokens', {
      name: 'short',
      expiresInDays: 1,
    });
    const token = (created.json as CreatedToken).token;
    expect((await call(f.app, token, 'GET', '/api/projects')).status).toBe(200);
    f.advance(2 * 24 * 60 * 60 * 1000);
    expect((await call(f.app, token, 'GET', '/api/projects')).status).toBe(401);
  });
});

describe('job credentials', () => {
  it('reach only their own project, and there only read, tag and add files', async () => {
    const { token } = createJobToken(f.catalog.db, { projectId: f.alpha.id });
    const projects = await call(f.app, token, 'GET', '/api/projects');
    expect((projects.json as Array<{ name: string }>).map((p) => p.name)).toEqual(['alpha']);
    expect((await call(f.app, token, 'GET', '/api/projects/alpha/subjects')).status).toBe(200);
    expect((await call(f.app, token, 'GET', '/api/projects/beta/subjects')).status).toBe(404);
    expect((await call(f.app, token, 'GET', '/api/projects/beta/tasks')).status).toBe(404);

    const subjects = f.catalog.db
      .prepare('SELECT id FROM subjects WHERE project_id = ?')
      .pluck()
      .all(f.alpha.id) as number[];
    const tag = await call(f.app, token, 'POST', '/api/projects/alpha/tags', {
      action: 'add',
      level: 'subject',
      ids: subjects,
      tags: ['seen'],
    });
    expect(tag.status).toBe(200);
    const added = await call(f.app, token, 'POST', '/api/projects/alpha/files', {
      paths: ['P001/20200101/t1/s001.nii'],
      tags: ['qc'],
    });
    expect(added.json).toMatchObject([{ ok: true }]);

    const forbidden: Array<[string, string, unknown]> = [
      ['POST', '/api/projects/alpha/runs', { batch: {} }],
      ['POST', '/api/projects/alpha/tasks/kill-all', {}],
      ['POST', '/api/projects/alpha/batches', { batch: {} }],
      ['GET', '/api/projects/alpha/roles', undefined],
      ['POST', '/api/auth/tokens', { name: 'escalate' }],
      ['GET', '/api/users', undefined],
    ];
    for (const [method, path, body] of forbidden) {
      expect((await call(f.app, token, method, path, body)).status, `${method} ${path}`).toBe(403);
    }
  });

  it('of a run end with the run: accepted while it has an active task, refused (401) after', async () => {
    const run = echoRun();
    const token = readJobCredential(f.catalog.runsDir, run.runId) ?? '';
    expect(token).toMatch(/^cohj_/);
    // Pending tasks: the run is active, its credential works.
    expect((await call(f.app, token, 'GET', '/api/projects/alpha/subjects')).status).toBe(200);
    // Its tasks end (here by hand), but the supervisor has not revoked the row yet: refused all the same.
    f.catalog.db.prepare("UPDATE tasks SET state = 'done' WHERE run_id = ?").run(run.runId);
    const refused = await call(f.app, token, 'GET', '/api/projects/alpha/subjects');
    expect(refused.status).toBe(401);
    expect(JSON.stringify(refused.json)).toContain('ended with the run');
  });

  it('of a run driven to its end are revoked, and their secret file removed', async () => {
    const run = echoRun();
    const token = readJobCredential(f.catalog.runsDir, run.runId) ?? '';
    await f.context.runs.start(run.runId);
    await f.context.runs.whenEnded(run.runId);
    expect(resolveToken(f.catalog.db, token)).toBeUndefined();
    expect(readJobCredential(f.catalog.runsDir, run.runId)).toBeUndefined();
  });
});

/** A run of one echo job over alpha, created but not started. */
function echoRun(): { runId: number } {
  const batch = validateBatch(bashBatch('echo hi'));
  return createRun(f.catalog, f.alpha, {
    batch,
    resolution: resolveBatch(f.catalog.db, f.alpha, batch),
    mode: 'chained',
    owner: 'test',
    selection: '*',
  });
}
