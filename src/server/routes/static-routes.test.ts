import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../server-context.js';
import { mountStatic } from './static-routes.js';

const dir = mkdtempSync(join(tmpdir(), 'cohort-web-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the static web UI', () => {
  it('serves the built files, index.html for client-side routes, with a strict CSP', async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Cohort UI</title>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
    const app = new Hono<AppEnv>();
    mountStatic(app, dir);
    const asset = await app.request('/assets/app.js');
    expect(asset.status).toBe(200);
    expect(await asset.text()).toBe('console.log(1)');
    const route = await app.request('/grid/12');
    expect(await route.text()).toContain('Cohort UI');
    expect(route.headers.get('content-security-policy')).toContain("default-src 'self'");
    const escape = await app.request('/assets/..%2f..%2f..%2fetc%2fpasswd');
    expect(await escape.text()).not.toContain('root:');
  });

  it('serves a placeholder page without a build', async () => {
    const app = new Hono<AppEnv>();
    mountStatic(app, join(dir, 'missing'));
    expect(await (await app.request('/')).text()).toContain('not built yet');
  });
});
