import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { openCatalog, type Catalog } from '../catalog/catalog.js';
import type { CohortConfig } from '../config/resolve-config.js';
import { defaultLibraryDirs, loadLibrary, type LibraryJob } from '../jobs/library.js';
import { CohortError } from '../errors/cohort-error.js';
import { createApp } from './app.js';
import { LoginLimiter } from './auth/login-limiter.js';
import { EventHub, type EventHubOptions } from './events/event-hub.js';
import { RunSupervisor } from '../runs/run-supervisor.js';
import { runLeanCli } from '../cli/lean-cli.js';
import { AutoTimer } from '../auto/auto-timer.js';
import type { ServerContext } from './server-context.js';
import { OperationRegistry } from './operations/operation-registry.js';

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
  /** Paths per transaction of long writes (default WRITE_CHUNK); the benchmark compares one chunk. */
  readonly writeChunk?: number;
  /** Tests lose events on purpose to prove the web grid converges without them. */
  readonly dropEvents?: EventHubOptions['drop'];
  /** How often autoexec rules fire (default AUTO_FIRE_MS). */
  readonly autoFireMs?: number;
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
  const events = new EventHub(
    catalog.db,
    now,
    options.dropEvents === undefined ? {} : { drop: options.dropEvents },
  );
  let library: readonly LibraryJob[] | undefined;
  const runs = new RunSupervisor(catalog, [events.listener()], options.pollMs);
  // The jobs of runs this server drives get their in-job commands answered here (the CLI's lean entry).
  runs.serveJobs(runLeanCli);
  return {
    catalog,
    events,
    runs,
    limiter: new LoginLimiter(now),
    operations: new OperationRegistry(catalog.config.databasePath, now),
    library: () => (library ??= loadLibrary(defaultLibraryDirs(catalog.config.libraryDir))),
    staticDir: options.staticDir ?? (existsSync(DEFAULT_STATIC_DIR) ? DEFAULT_STATIC_DIR : undefined),
    now,
    ...(options.writeChunk === undefined ? {} : { writeChunk: options.writeChunk }),
  };
}

/**
 * Opens the catalog and serves the API and UI on host:port (port 0: any free port). Runs started over
 * the API run in this process on the local executor; closing stops watching them (they go on running,
 * `cohort resume` takes them over).
 */
export async function startServer(config: CohortConfig, options: ServerOptions = {}): Promise<RunningServer> {
  const catalog = openCatalog(config, { create: false });
  const context = createServerContext(catalog, options);
  const app = createApp(context);
  const host = options.host ?? '127.0.0.1';
  let listening: { server: ReturnType<typeof serve>; port: number };
  try {
    // Listen before adopting orphaned runs: a second server on a used port must not take them over.
    listening = await listen(app.fetch, host, options.port ?? 8080);
  } catch (error) {
    context.events.stop();
    await context.runs.close();
    catalog.close();
    throw error;
  }
  const { server, port } = listening;
  context.events.start();
  // A run that cannot be taken over (its executor unreachable) is told, not a reason to stop serving:
  // its tasks keep their states, and `cohort resume` or the next start takes it over.
  const adopted = await context.runs.adopt().catch((error: unknown) => {
    console.error(
      `cohort server: could not resume runs left by a runner that stopped: ${error instanceof Error ? error.message : String(error)}`,
    );
    return [];
  });
  if (adopted.length > 0)
    console.error(`cohort server: resumed run(s) ${adopted.join(', ')} left by a runner that stopped`);
  // Autoexec rules fire here too: data added by other processes, and studies that went quiet.
  const auto = new AutoTimer(catalog, context.runs, options.autoFireMs);
  auto.start();
  void auto.fireNow();
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    context,
    async close() {
      await auto.stop();
      await context.operations.close();
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

function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  host: string,
  port: number,
): Promise<{ server: ReturnType<typeof serve>; port: number }> {
  return new Promise((resolve, reject) => {
    const s = serve({ fetch, port, hostname: host }, (info: AddressInfo) =>
      resolve({ server: s, port: info.port }),
    );
    s.once('error', (error: NodeJS.ErrnoException) => {
      s.close();
      reject(listenProblem(error, host, port));
    });
  });
}

/** A port in use or not ours to take is the user's to fix: one line naming it, never a stack. */
function listenProblem(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === 'EADDRINUSE') {
    return new CohortError('NOT_AVAILABLE', `Port ${port} on ${host} is already in use.`, {
      hint: 'Stop the other server, or choose another port with --port N (0: any free port).',
      cause: error,
    });
  }
  if (error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL') {
    return new CohortError('NOT_AVAILABLE', `Cannot listen on ${host}:${port} (${error.code}).`, {
      hint: 'Ports below 1024 need privileges, and --host must be an address of this machine.',
      cause: error,
    });
  }
  return error;
}
