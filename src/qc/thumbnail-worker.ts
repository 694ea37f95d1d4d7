import { parentPort, workerData } from 'node:worker_threads';
import { isCohortError } from '../errors/cohort-error.js';
import { ThumbnailCache } from './thumbnail-cache.js';
import type { PoolReply, PoolRequest } from './thumbnail-pool.js';

/**
 * A thread of the thumbnail pool (thumbnail-pool.ts): draws (or finds cached) one thumbnail per
 * message with its own ThumbnailCache over the shared cache folder, and answers with the PNG and the
 * content hashes it used, or with the CohortError that explains why it could not.
 */
const cache = new ThumbnailCache((workerData as { dir: string }).dir);
const port = parentPort;
port?.on('message', (message: PoolRequest) => {
  for (const [file, known] of message.known) cache.remember(file, known);
  let reply: PoolReply;
  try {
    const thumbnail = cache.thumbnail(message.request);
    const files = [message.request.image, message.request.overlay].filter((f) => f !== undefined);
    reply = {
      id: message.id,
      ok: true,
      png: thumbnail.png,
      cached: thumbnail.cached,
      key: thumbnail.key,
      hashes: files.flatMap((f) => {
        const known = cache.knownHashes().get(f);
        return known === undefined ? [] : [[f, known] as const];
      }),
    };
  } catch (error) {
    reply = isCohortError(error)
      ? {
          id: message.id,
          ok: false,
          error: { code: error.code, message: error.message, hint: error.hint },
        }
      : { id: message.id, ok: false, error: { message: String((error as Error)?.stack ?? error) } };
  }
  port.postMessage(reply);
});
