import { Hono } from 'hono';
import { z } from 'zod';
import { findRule, listLog, listRules, removeRule } from '../../auto/auto-store.js';
import { createRule } from '../../auto/create-rule.js';
import { fireRules } from '../../auto/fire-rules.js';
import { authorizeProject, requireUser } from '../auth/rights.js';
import { readBody } from '../read-request.js';
import type { AppEnv } from '../server-context.js';

/** The body of POST /api/projects/P/auto: a rule as `cohort auto add` takes it. */
export const autoRuleBody = z
  .object({
    name: z.string(),
    trigger: z.string().default('new'),
    batch: z.string(),
    filter: z.string().optional(),
    queue: z.string().optional(),
    chunk: z.number().int().min(0).optional(),
    order: z.number().int().optional(),
    skipExistingOutputs: z.boolean().optional(),
    includeExisting: z.boolean().optional(),
  })
  .strict();

/**
 * A project's autoexec rules: list them with their log (read), add, remove and fire them (run rights:
 * a rule starts runs in the project's name of whoever made it).
 */
export function autoRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const base = '/projects/:project/auto';

  app.get(base, (c) => {
    const project = authorizeProject(c, 'read');
    const db = c.var.ctx.catalog.db;
    return c.json({ rules: listRules(db, project), log: listLog(db, project, undefined, 100) });
  });
  app.post(base, async (c) => {
    const project = authorizeProject(c, 'runBatches');
    const body = await readBody(c, autoRuleBody);
    const rule = createRule(c.var.ctx.catalog.db, project, { ...body, owner: requireUser(c).name });
    return c.json(rule, 201);
  });
  app.delete(`${base}/:name`, (c) => {
    const project = authorizeProject(c, 'runBatches');
    removeRule(c.var.ctx.catalog.db, project, c.req.param('name'));
    return c.json({ removed: true });
  });
  app.get(`${base}/:name/log`, (c) => {
    const project = authorizeProject(c, 'read');
    const db = c.var.ctx.catalog.db;
    const rule = findRule(db, project, c.req.param('name'));
    return c.json(listLog(db, project, rule.name, 100));
  });
  app.post(`${base}/fire`, async (c) => {
    const project = authorizeProject(c, 'runBatches');
    const { catalog, runs } = c.var.ctx;
    return c.json(await fireRules(catalog, project, { source: 'web', driver: runs }));
  });
  return app;
}
