import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { notFound } from '../../errors/cohort-error.js';
import type { TaskEvent } from '../api-types.js';
import { readableProjects } from '../auth/rights.js';
import { readQuery } from '../read-request.js';
import type { AppEnv } from '../server-context.js';

/** A comment line this often keeps proxies and browsers from closing an idle stream. */
export const PING_MS = 15_000;
// A client that stops reading must not make the server hold events without bound.
const MAX_QUEUED = 10_000;

const eventsQuery = z.object({ project: z.string().max(200).optional() });

/**
 * GET /api/events: server-sent events of task changes in the projects the caller may read (or the one
 * named by `?project=`, which must be readable: 404 otherwise). The set is fixed when the stream opens.
 */
export function eventRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/events', (c) => {
    const { project } = readQuery(c, eventsQuery);
    const readable = readableProjects(c.var.ctx.catalog.db, c.var.principal);
    const chosen = project === undefined ? readable : readable.filter((p) => p.name === project);
    if (project !== undefined && chosen.length === 0) throw notFound(`No project '${project}'.`);
    const ids = new Set(chosen.map((p) => p.id));
    const hub = c.var.ctx.events;
    return streamSSE(c, async (stream) => {
      const queue: TaskEvent[] = [];
      let wake: (() => void) | undefined;
      let open = true;
      const unsubscribe = hub.subscribe(ids, (event) => {
        if (queue.length >= MAX_QUEUED) queue.shift();
        queue.push(event);
        wake?.();
      });
      stream.onAbort(() => {
        open = false;
        unsubscribe();
        wake?.();
      });
      await stream.writeSSE({
        event: 'ready',
        data: JSON.stringify({ projects: chosen.map((p) => p.name) }),
      });
      while (open) {
        for (let event = queue.shift(); event !== undefined && open; event = queue.shift()) {
          await stream.writeSSE({ event: 'task', data: JSON.stringify(event) });
        }
        if (!open) break;
        const idle = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), PING_MS);
          wake = () => {
            clearTimeout(timer);
            resolve(false);
          };
        });
        wake = undefined;
        if (idle && open) await stream.writeSSE({ event: 'ping', data: '' });
      }
      unsubscribe();
    });
  });
  return app;
}
