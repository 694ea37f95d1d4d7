import type { Context } from 'hono';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { notFound } from '../../errors/cohort-error.js';
import { resolvePrincipal } from '../auth/authenticate.js';
import { readableProjects } from '../auth/rights.js';
import type { StampedEvent } from '../events/event-hub.js';
import { readQuery } from '../read-request.js';
import type { AppEnv } from '../server-context.js';

/** A comment line this often keeps proxies and browsers from closing an idle stream. */
export const PING_MS = 15_000;
// A client that stops reading must not make the server hold events without bound.
const MAX_QUEUED = 10_000;

const eventsQuery = z.object({
  project: z.string().max(200).optional(),
  /** For clients that cannot set the Last-Event-ID header on their first connection. */
  lastEventId: z.string().max(100).optional(),
});

/**
 * GET /api/events: server-sent events of task changes in the projects the caller may read (or the one
 * named by `?project=`, which must be readable: 404 otherwise). Each event has an id; a reconnecting
 * client's `Last-Event-ID` replays what it missed, or sends `resync` when that is no longer kept.
 * Rights are checked again before every batch: a revoked role stops that project's events at once,
 * and an ended session or revoked token ends the stream (`event: end`).
 */
export function eventRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/events', (c) => {
    const { project, lastEventId } = readQuery(c, eventsQuery);
    const readable = readableProjects(c.var.ctx.catalog.db, c.var.principal);
    const chosen = project === undefined ? readable : readable.filter((p) => p.name === project);
    if (project !== undefined && chosen.length === 0) throw notFound(`No project '${project}'.`);
    const ids = new Set(chosen.map((p) => p.id));
    const resumeFrom = c.req.header('Last-Event-ID') ?? lastEventId;
    const hub = c.var.ctx.events;
    return streamSSE(c, async (stream) => {
      const queue: StampedEvent[] = [];
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
      let sentSeq = 0;
      if (resumeFrom !== undefined && resumeFrom !== '') {
        const missed = hub.since(resumeFrom);
        if (missed === 'gap') await stream.writeSSE({ event: 'resync', data: '' });
        else queue.unshift(...missed.filter((e) => ids.has(e.projectId)));
      }
      while (open) {
        if (queue.length > 0) {
          const allowed = allowedNow(c, ids);
          if (allowed === undefined) {
            await stream.writeSSE({ event: 'end', data: JSON.stringify({ reason: 'unauthenticated' }) });
            break;
          }
          for (let e = queue.shift(); e !== undefined && open; e = queue.shift()) {
            // Replayed and live events may overlap while the stream starts: each goes out once.
            if (e.seq <= sentSeq || !allowed.has(e.projectId)) continue;
            sentSeq = e.seq;
            await stream.writeSSE({ id: e.id, event: 'task', data: JSON.stringify(e.event) });
          }
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
        if (idle && open) {
          if (allowedNow(c, ids) === undefined) {
            await stream.writeSSE({ event: 'end', data: JSON.stringify({ reason: 'unauthenticated' }) });
            break;
          }
          await stream.writeSSE({ event: 'ping', data: '' });
        }
      }
      unsubscribe();
    });
  });
  return app;
}

/**
 * The subscribed projects the caller may still read, read afresh, or undefined when its session or
 * token no longer holds.
 */
function allowedNow(c: Context<AppEnv>, subscribed: ReadonlySet<number>): Set<number> | undefined {
  let readable;
  try {
    readable = readableProjects(c.var.ctx.catalog.db, resolvePrincipal(c));
  } catch {
    return undefined;
  }
  return new Set(readable.map((p) => p.id).filter((id) => subscribed.has(id)));
}
