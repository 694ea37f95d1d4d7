import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Hono } from 'hono';
import { openCatalog, type Catalog } from '../catalog/catalog.js';
import { indexProject } from '../catalog/indexer/index-project.js';
import { createProject, type Project } from '../catalog/project-store.js';
import { resolveConfig, type ConfigOverrides } from '../config/resolve-config.js';
import type { ProjectRole } from '../users/project-roles.js';
import { createUser, grantRole } from '../users/user-store.js';
import { createApp } from './app.js';
import { createServerContext } from './serve.js';
import type { AppEnv, ServerContext } from './server-context.js';

// Test-only (excluded from the build): a real catalog in a temporary folder, two projects, users.

/** A file name a careless UI would render as markup. */
export const HTML_NAME = '<img src=x onerror=alert(1)>.nii';
export const PASSWORD = 'correct horse battery';
// Hashing four users per test at the real cost would dominate the suite's time.
const CHEAP_COST = { N: 2 ** 10, r: 8, p: 1 } as const;

export interface ServerFixture {
  readonly dir: string;
  readonly catalog: Catalog;
  readonly context: ServerContext;
  readonly app: Hono<AppEnv>;
  readonly alpha: Project;
  readonly beta: Project;
  /** A file outside every project root (a secret a traversal would reach). */
  readonly secret: string;
  /** Moves the server's clock (sessions expire). */
  advance(ms: number): void;
  /** Logs in and returns the Cookie header value. */
  login(name: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

function write(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

/**
 * Projects `alpha` (P001, P002 with a file named like HTML) and `beta` (Q001); users `root` (first,
 * server admin), `ana` (run in alpha), `ben` (read in alpha), `cy` (admin in beta).
 */
export async function createServerFixture(
  roles: Record<string, [string, ProjectRole][]> = {},
  /** Configuration for the fixture's folder (e.g. import roots inside it). */
  overrides: (dir: string) => ConfigOverrides = () => ({}),
): Promise<ServerFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-server-'));
  const config = resolveConfig(
    { home: join(dir, 'home'), taskEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, ...overrides(dir) },
    {},
  );
  write(join(dir, 'alpha/P001/20200101/t1/s001.nii'), 'alpha-P001');
  write(join(dir, 'alpha/P002/20200202/t1/s001.nii'), 'alpha-P002');
  write(join(dir, 'alpha/P002/20200202/t1', HTML_NAME), 'html');
  write(join(dir, 'beta/Q001/20210101/t1/s001.nii'), 'beta-Q001');
  const secret = join(dir, 'secret.txt');
  write(secret, 'top secret');
  const catalog = openCatalog(config);
  const alpha = createProject(catalog.db, { name: 'alpha', root: join(dir, 'alpha'), layout: 'folders' });
  const beta = createProject(catalog.db, { name: 'beta', root: join(dir, 'beta'), layout: 'folders' });
  await indexProject(catalog, alpha, { threads: 1 });
  await indexProject(catalog, beta, { threads: 1 });
  const users: Record<string, [string, ProjectRole][]> = {
    root: [],
    ana: [['alpha', 'run']],
    ben: [['alpha', 'read']],
    cy: [['beta', 'admin']],
    ...roles,
  };
  const projects = { alpha, beta } as Record<string, Project>;
  for (const [name, grants] of Object.entries(users)) {
    const user = await createUser(catalog.db, { name, password: PASSWORD, cost: CHEAP_COST });
    for (const [project, role] of grants) grantRole(catalog.db, user.id, projects[project]?.id ?? 0, role);
  }
  let offset = 0;
  const context = createServerContext(catalog, {
    now: () => Date.now() + offset,
    pollMs: 50,
    staticDir: join(dir, 'no-web'),
  });
  const app = createApp(context);
  return {
    dir,
    catalog,
    context,
    app,
    alpha,
    beta,
    secret,
    advance: (ms: number) => {
      offset += ms;
    },
    async login(name, password = PASSWORD) {
      const res = await app.request('/api/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name, password }),
      });
      if (res.status !== 200) throw new Error(`login of ${name} failed: ${res.status} ${await res.text()}`);
      return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    },
    async close() {
      await context.operations.close();
      context.events.stop();
      await context.runs.close();
      catalog.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** JSON request helper: `call(app, cookie, 'POST', '/api/...', body)`. */
export async function call(
  app: Hono<AppEnv>,
  auth: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (/^coh[js]?_/.test(auth)) headers.Authorization = `Bearer ${auth}`;
  else if (auth !== '') headers.Cookie = auth;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await app.request(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (file content): the text itself
  }
  return { status: res.status, json, headers: res.headers };
}

/** An event of an SSE stream. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
  /** The event's `id:` line, when it has one. */
  readonly id?: string;
}

/**
 * Reads events from an SSE response until `until` says stop (or `timeoutMs` passes), then closes the
 * stream. Returns every event read.
 */
export async function readSse(
  res: Response,
  until: (events: readonly SseEvent[]) => boolean,
  timeoutMs = 20_000,
): Promise<SseEvent[]> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (!until(events) && Date.now() < deadline) {
      const next = await Promise.race([
        reader.read(),
        new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, deadline - Date.now()))),
      ]);
      if (next === null || next.done) break;
      buffer += decoder.decode(next.value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = block.split('\n');
        const event =
          lines
            .find((l) => l.startsWith('event:'))
            ?.slice(6)
            .trim() ?? 'message';
        const data = lines
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trimStart())
          .join('\n');
        const id = lines
          .find((l) => l.startsWith('id:'))
          ?.slice(3)
          .trim();
        events.push({ event, data, ...(id === undefined ? {} : { id }) });
        end = buffer.indexOf('\n\n');
      }
    }
  } finally {
    await reader.cancel();
  }
  return events;
}

/** A study-level BASH batch over every study: `script` runs once per study. */
export function bashBatch(script: string, name = 'check'): object {
  return {
    name,
    level: 'study',
    jobs: [
      {
        name: 'Check',
        language: 'bash',
        script,
        args: [{ type: 'FILE', name: 'f1', patterns: ['t1/s001.nii'], ref: { kind: 'current' } }],
      },
    ],
  };
}
