import { Hono } from 'hono';
import {
  defaultQueueName,
  listQueues,
  removeQueue,
  saveQueue,
  setDefaultQueue,
} from '../../queues/queue-store.js';
import { defaultQueueBody, saveQueueBody, type QueuesResponse } from '../api-types.js';
import { authorizeProject, requireServerAdmin } from '../auth/rights.js';
import { readBody, readQuery } from '../read-request.js';
import type { AppEnv } from '../server-context.js';
import { z } from 'zod';

const globalQuery = z.object({ global: z.enum(['0', '1', 'true', 'false']).optional() });

/** A project's queues: list (read), add or replace, remove, choose the default (project admins). */
export function queueRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const base = '/projects/:project/queues';

  app.get(base, (c) => {
    const project = authorizeProject(c, 'read');
    const db = c.var.ctx.catalog.db;
    return c.json({
      default: defaultQueueName(db, project),
      queues: listQueues(db, project),
    } satisfies QueuesResponse);
  });
  app.put(`${base}/:name`, async (c) => {
    const project = authorizeProject(c, 'manageQueues');
    const { global, ...queue } = await readBody(c, saveQueueBody);
    // A global queue is every project's: only a server admin may change one.
    if (global) requireServerAdmin(c);
    const saved = saveQueue(c.var.ctx.catalog.db, project, { ...queue, name: c.req.param('name') }, global);
    return c.json(saved);
  });
  app.delete(`${base}/:name`, (c) => {
    const project = authorizeProject(c, 'manageQueues');
    const q = readQuery(c, globalQuery);
    const global = q.global === '1' || q.global === 'true';
    if (global) requireServerAdmin(c);
    removeQueue(c.var.ctx.catalog.db, project, c.req.param('name'), global);
    return c.json({ removed: true });
  });
  app.put('/projects/:project/default-queue', async (c) => {
    const project = authorizeProject(c, 'manageQueues');
    const { name } = await readBody(c, defaultQueueBody);
    setDefaultQueue(c.var.ctx.catalog.db, project, name);
    return c.json({ default: name });
  });
  return app;
}
