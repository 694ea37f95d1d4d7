import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { readFrom, readIfExists } from '../../executors/index.js';
import { redactSecrets } from '../../users/secret-token.js';
import { isEnded } from '../../runs/task-states.js';
import { getTaskRow, type TaskRow } from '../../runs/store/task-store.js';
import { logQuery, type TaskLog } from '../api-types.js';
import { readQuery } from '../read-request.js';
import type { AppEnv } from '../server-context.js';

/** How often a followed log is read for new output (the CLI's `grid log --follow` uses the same). */
export const FOLLOW_POLL_MS = 500;
// A follower that fell far behind gets the output in pieces, so one event never holds a whole log.
const MAX_CHUNK_BYTES = 256 * 1024;

/**
 * A task's log: JSON `{ data, next, state }` (the last `tail` bytes, or from `offset`), or with
 * `follow=1` an SSE stream of `log` events while the task runs, then `end`.
 */
export function logRoute(c: Context<AppEnv>, task: TaskRow): Response {
  const q = readQuery(c, logQuery);
  const file = join(task.log_dir, `${q.stream}.log`);
  const follow = q.follow === '1' || q.follow === 'true';
  if (!follow) {
    if (q.offset !== undefined) {
      const chunk = readFrom(file, q.offset);
      return c.json({
        data: redactSecrets(chunk.data.toString('utf8')),
        next: chunk.next,
        state: task.state,
      } satisfies TaskLog);
    }
    const size = existsSync(file) ? statSync(file).size : 0;
    return c.json({
      data: redactSecrets(readIfExists(file, q.tail) ?? ''),
      next: size,
      state: task.state,
    } satisfies TaskLog);
  }
  const db = c.var.ctx.catalog.db;
  return streamSSE(c, async (stream) => {
    let open = true;
    stream.onAbort(() => {
      open = false;
    });
    let offset = q.offset ?? (existsSync(file) ? Math.max(0, statSync(file).size - q.tail) : 0);
    while (open) {
      const state = getTaskRow(db, task.id)?.state ?? 'killed';
      const chunk = readFrom(file, offset);
      const data = chunk.data.subarray(0, MAX_CHUNK_BYTES);
      if (data.length > 0) {
        offset += data.length;
        await stream.writeSSE({
          event: 'log',
          data: JSON.stringify({ data: redactSecrets(data.toString('utf8')), next: offset }),
        });
        continue;
      }
      if (isEnded(state)) {
        await stream.writeSSE({ event: 'end', data: JSON.stringify({ state }) });
        return;
      }
      await stream.sleep(FOLLOW_POLL_MS);
    }
  });
}
