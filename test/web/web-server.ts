import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/run-cli.js';
import { resolveConfig, type CohortConfig } from '../../src/config/resolve-config.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/serve.js';
import { createUser } from '../../src/users/user-store.js';

/** The built web UI (`npm run build` runs `vite build web`). */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export const USER = { name: 'alice', password: 'correct horse battery' } as const;

export interface WebServer {
  readonly url: string;
  readonly home: string;
  readonly config: CohortConfig;
  readonly server: RunningServer;
  close(): Promise<void>;
}

export interface WebServerOptions {
  /** Subjects of the demo project (`cohort demo --subjects N`); 0 makes no demo. */
  readonly demoSubjects?: number;
  /** Fills the catalog before the server opens it (a synthetic catalog for the benchmarks). */
  readonly prepare?: (config: CohortConfig) => void | Promise<void>;
  /** Passed to the server (a test loses events on purpose with `dropEvents`). */
  readonly server?: Pick<ServerOptions, 'dropEvents'>;
}

/**
 * A real server on a free loopback port over a temporary COHORT_HOME: the demo project (made by the
 * `cohort demo` command), a user (the first, so a server admin who may use every project), and the
 * built UI as its static folder.
 */
export async function startWebServer(options: WebServerOptions = {}): Promise<WebServer> {
  if (!existsSync(join(WEB_DIST, 'index.html'))) {
    throw new Error(`${WEB_DIST}index.html is missing: run \`npm run build\` (npm test does it).`);
  }
  const home = mkdtempSync(join(tmpdir(), 'cohort-web-'));
  // Only PATH and HOME from outside: COHORT_* of the caller must not leak into the test's catalog.
  const config = resolveConfig({ home }, { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home });
  const subjects = options.demoSubjects ?? 4;
  if (subjects > 0) {
    await cohort(config, ['demo', '--subjects', String(subjects)]);
  }
  await options.prepare?.(config);
  const server = await startServer(config, {
    port: 0,
    host: '127.0.0.1',
    staticDir: WEB_DIST,
    ...options.server,
  });
  await createUser(server.context.catalog.db, USER);
  return {
    url: server.url,
    home,
    config,
    server,
    async close() {
      await server.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Runs a `cohort` command in this process (the same command table the binary uses); throws on failure. */
export async function cohort(config: CohortConfig, argv: readonly string[]): Promise<string> {
  const output: string[] = [];
  const io = { out: (t: string) => output.push(t), err: (t: string) => output.push(t) };
  const code = await runCli(argv, config, io);
  if (code !== 0) throw new Error(`cohort ${argv.join(' ')} failed (${code}):\n${output.join('')}`);
  return output.join('');
}
