import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CohortError, ERROR_CODES, type ErrorCode } from '../errors/cohort-error.js';
import type { ContentHash, Thumbnail, ThumbnailRequest } from './thumbnail-cache.js';

/** A message to a pool thread: one thumbnail, with the content hashes the pool already knows. */
export interface PoolRequest {
  readonly id: number;
  readonly request: ThumbnailRequest;
  readonly known: readonly (readonly [string, ContentHash])[];
}

/** A pool thread's answer. */
export type PoolReply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly png: Uint8Array;
      readonly cached: boolean;
      readonly key: string;
      readonly hashes: readonly (readonly [string, ContentHash])[];
    }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: {
        readonly code?: string;
        readonly message: string;
        readonly hint?: string | undefined;
      };
    };

/** Threads when not told: one per core the process may use, at most 8 (reading files stops scaling). */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

interface Slot {
  readonly worker: Worker;
  busy: boolean;
}

interface Pending {
  readonly message: PoolRequest;
  resolve(thumbnail: Thumbnail): void;
  reject(error: Error): void;
}

/**
 * Draws thumbnails (ThumbnailCache over one cache folder) in worker threads: the server's main thread
 * stays free to answer other requests while a mosaic is drawn, and drawing runs on every core. Threads
 * start on demand, up to `size`; an idle pool keeps no process alive. Content hashes learnt by any
 * thread are passed on to the others, so a file is hashed once per pool, not once per thread.
 * @example const pool = new ThumbnailPool(dir); const { png } = await pool.thumbnail({ image, options });
 */
export class ThumbnailPool {
  readonly #dir: string;
  readonly #size: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  readonly #inFlight = new Map<number, Pending & { slot: Slot }>();
  readonly #hashes = new Map<string, ContentHash>();
  #nextId = 1;
  #closed = false;

  /** @param dir the cache folder; @param size threads at most (default: defaultPoolSize()). */
  constructor(dir: string, size = defaultPoolSize()) {
    this.#dir = dir;
    this.#size = Math.max(1, size);
  }

  /**
   * The thumbnail of a request, drawn in a thread when not cached.
   * @throws CohortError as ThumbnailCache.thumbnail does (INVALID_INPUT, FILESYSTEM).
   */
  thumbnail(request: ThumbnailRequest): Promise<Thumbnail> {
    if (this.#closed) return Promise.reject(new Error('the thumbnail pool is closed'));
    const files = [request.image, request.overlay].filter((f) => f !== undefined);
    const known = files.flatMap((f) => {
      const hash = this.#hashes.get(f);
      return hash === undefined ? [] : [[f, hash] as const];
    });
    return new Promise<Thumbnail>((resolve, reject) => {
      this.#queue.push({ message: { id: this.#nextId++, request, known }, resolve, reject });
      this.#dispatch();
    });
  }

  /**
   * Starts the threads now rather than on the first request, so their start overlaps the caller's own
   * work (the CLI selects the studies meanwhile). Idle until asked.
   */
  warmUp(): void {
    while (!this.#closed && this.#slots.length < this.#size) this.#start().worker.unref();
  }

  /** Stops the threads; requests still waiting are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const p of this.#queue.splice(0)) p.reject(new Error('the thumbnail pool is closed'));
    await Promise.all(this.#slots.splice(0).map((s) => s.worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => !s.busy);
      if (slot === undefined && this.#slots.length < this.#size) slot = this.#start();
      if (slot === undefined) return;
      const pending = this.#queue.shift();
      if (pending === undefined) return;
      slot.busy = true;
      slot.worker.ref(); // a thread at work keeps the process alive (a CLI awaiting it)
      this.#inFlight.set(pending.message.id, { ...pending, slot });
      slot.worker.postMessage(pending.message);
    }
  }

  #start(): Slot {
    const worker = startWorker(this.#dir);
    const slot: Slot = { worker, busy: false };
    worker.on('message', (reply: PoolReply) => {
      const pending = this.#inFlight.get(reply.id);
      if (pending === undefined) return;
      this.#inFlight.delete(reply.id);
      slot.busy = false;
      if (reply.ok) {
        for (const [file, hash] of reply.hashes) this.#hashes.set(file, hash);
        pending.resolve({ png: Buffer.from(reply.png), cached: reply.cached, key: reply.key });
      } else pending.reject(revive(reply.error));
      if (this.#queue.length > 0) this.#dispatch();
      else if (!this.#slots.some((s) => s.busy)) for (const s of this.#slots) s.worker.unref();
    });
    const fail = (error: Error): void => {
      // A thread that died takes its request with it; the others and later requests go on.
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots.splice(index, 1);
      for (const [id, p] of this.#inFlight)
        if (p.slot === slot) {
          this.#inFlight.delete(id);
          p.reject(error);
        }
      if (!this.#closed) this.#dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.#closed) fail(new Error(`a thumbnail thread exited with code ${code}`));
    });
    this.#slots.push(slot);
    return slot;
  }
}

function revive(error: { code?: string; message: string; hint?: string | undefined }): Error {
  if (error.code === undefined || !(ERROR_CODES as readonly string[]).includes(error.code))
    return new Error(error.message);
  return new CohortError(error.code as ErrorCode, error.message, {
    ...(error.hint === undefined ? {} : { hint: error.hint }),
  });
}

function startWorker(dir: string): Worker {
  const workerData = { dir };
  if (!import.meta.url.endsWith('.ts')) {
    // As the index's scan threads: the build bundles the thread into one file (scripts/bundle-entries.sh),
    // which starts faster than a dozen ES modules; after a bare `tsc` the bundle is stale.
    const bundle = new URL('./thumbnail-worker.bundle.js', import.meta.url);
    const modules = new URL('./thumbnail-worker.js', import.meta.url);
    const bundled = statSync(bundle, { throwIfNoEntry: false })?.mtimeMs ?? -1;
    const entry = bundled >= (statSync(modules, { throwIfNoEntry: false })?.mtimeMs ?? 0) ? bundle : modules;
    return new Worker(entry, { workerData });
  }
  // Running from TypeScript sources (tests, tsx): register tsx's loader inside the thread first.
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./thumbnail-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
