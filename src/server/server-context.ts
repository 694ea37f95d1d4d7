import type { Catalog } from '../catalog/catalog.js';
import type { LibraryJob } from '../jobs/library.js';
import type { Principal } from './auth/principal.js';
import type { LoginLimiter } from './auth/login-limiter.js';
import type { EventHub } from './events/event-hub.js';
import type { RunSupervisor } from '../runs/run-supervisor.js';
import type { OperationRegistry } from './operations/operation-registry.js';

/**
 * What the HTTP app works with: the open catalog, the run supervisor (engine + local executor living in
 * the server process), the event hub for SSE, and settings. Built by `createServerContext` (serve.ts),
 * or by tests with their own clock.
 */
export interface ServerContext {
  readonly catalog: Catalog;
  readonly runs: RunSupervisor;
  readonly events: EventHub;
  readonly limiter: LoginLimiter;
  /** Project operations (create, rescan, import DICOM) running in the server, with their progress. */
  readonly operations: OperationRegistry;
  /** The predefined jobs (read at start). */
  readonly library: () => readonly LibraryJob[];
  /** Folder with the built web UI (index.html); a placeholder page is served when absent. */
  readonly staticDir: string | undefined;
  /** The clock for sessions and tokens (tests move it to expire sessions). */
  readonly now: () => number;
  /** Paths written per transaction by long writes (default WRITE_CHUNK; the benchmark compares). */
  readonly writeChunk?: number;
}

/** Hono's environment of the app: the context and, after authentication, who is asking. */
export interface AppEnv {
  Variables: {
    ctx: ServerContext;
    principal: Principal;
  };
}
