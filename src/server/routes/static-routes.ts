import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import type { AppEnv } from '../server-context.js';

/** Shown at `/` until the web UI is built into the static folder. */
const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cohort</title></head>
<body><h1>Cohort server</h1>
<p>The API is under <code>/api</code>; the web UI is not built yet (no <code>web/dist/index.html</code>).</p>
</body></html>
`;

// The UI is a single-page app: its own scripts only, nothing framed, no inline script.
const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/**
 * Serves the built web UI from `dir` (the UI helper builds it into `web/dist`): its files, and
 * `index.html` for any other non-API path (client-side routes). Without a build, a placeholder page.
 */
export function mountStatic(app: Hono<AppEnv>, dir: string | undefined): void {
  const index = dir === undefined ? undefined : join(dir, 'index.html');
  if (dir === undefined || index === undefined || !existsSync(index)) {
    app.get('/', (c) => c.html(PLACEHOLDER, 200, PAGE_HEADERS));
    return;
  }
  app.use('/*', async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(PAGE_HEADERS)) c.header(k, v);
  });
  app.use('/*', serveStatic({ root: dir }));
  app.get('*', (c) => c.html(readFileSync(index, 'utf8'), 200, PAGE_HEADERS));
}
