import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/**
 * Items written per chunk by a long request: big enough that a transaction per chunk makes the writes
 * fast, small enough (about 100 ms on a loaded two-core machine) that other requests wait no longer.
 */
export const WRITE_CHUNK = 100;

/**
 * Maps `items` chunk by chunk, yielding to the event loop between chunks: better-sqlite3 is
 * synchronous, so one request adding 10,000 paths in a single loop would stall every other request of
 * the server for seconds. Each chunk runs in `transaction` when given (one commit per chunk).
 */
export async function mapInChunks<T, R>(
  items: readonly T[],
  fn: (item: T) => R,
  transaction: <X>(work: () => X) => X = (work) => work(),
  size: number = WRITE_CHUNK,
): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) {
    if (start > 0) await yieldToEventLoop();
    const chunk = items.slice(start, start + size);
    results.push(...transaction(() => chunk.map(fn)));
  }
  return results;
}
