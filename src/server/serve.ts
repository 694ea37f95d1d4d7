import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { openCatalog, type Catalog } from '../catalog/catalog.js';
import type { CohortConfig } from '../config/resolve-config.js';
import { defaultLibraryDirs, loadLibrary, type LibraryJob } from '../jobs/library.js';
import { createApp } from './app.js';
import { LoginLimiter } from './auth/login-limiter.js';
import { EventHub } from './events/event-hub.js';
import { RunSupervisor } from '../runs/run-supervisor.js';
import type { ServerContext } from './server-context.js';

/** Where the UI helper builds the web app: `web/dist` at the top of the installation. */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export interface ServerOptions {
  readonly port?: number;
  /** Default 127.0.0.1: the API is reachable from this machine only unless asked otherwise. */
  readonly host?: string;
  readonly staticDir?: string;
  /** Tests pass a clock to expire sessions. */
  readonly now?: () => number;
  /** How often the supervisor polls the runs it drives. */
  readonly pollMs?: number;
}

/** A running server: its URL, its context, and how to stop it. */
export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly context: ServerContext;
  close(): Promise<void>;
}

/** The context of a server over an open catalog: engine, event hub (polling the database), limiter. */
export function createServerContext(catalog: Catalog, options: ServerOptions = {}): ServerContext {
  const now = options.now ?? Date.now;
  const events = new EventHub(catalog.db, now);
  let library: readonly LibraryJob[] | undefined;
  return {
    catalog,
    events,
    runs: new RunSupervisor(catalog, [events.listener()], options.pollMs),
    limiter: new LoginLimiter(now),
    library: () => (library ??= loadLibrary(defaultLibraryDirs(catalog.config.home))),
    staticDir: options.staticDir ?? (existsSync(DEFAULT_STATIC_DIR) ? DEFAULT_STATIC_DIR : undefined),
    now,
  };
}

/**
 * Opens the catalog and serves the API and UI on host:port (port 0: any free port). Runs started over
 * the API run in this process on the local executor; closing stops watching them (they go on running,
 * `cohort resume` takes them over).
 */
export async function startServer(config: CohortConfig, options: ServerOptions = {}): Promise<RunningServer> {
  const catalog = openCatalog(config);
  const context = createServerContext(catalog, options);
  context.events.start();
  const adopted = await context.runs.adopt();
  if (adopted.length > 0)
    console.error(`cohort server: resumed run(s) ${adopted.join(', ')} left by a runner that stopped`);
  const app = createApp(context);
  const host = options.host ?? '127.0.0.1';
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: options.port ?? 8080, hostname: host }, (info: AddressInfo) =>
        resolve({ server: s, port: info.port }),
      );
      s.once('error', reject);
    },
  );
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    context,
    async close() {
      context.events.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open SSE streams would keep close() waiting for ever.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await context.runs.close();
      catalog.close();
    },
  };
}
