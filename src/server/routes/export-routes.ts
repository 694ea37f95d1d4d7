import { Hono } from 'hono';
import { z } from 'zod';
import { exportCohort, exportRows, exportTsv } from '../../measures/cohort-export.js';
import { authorizeProject } from '../auth/rights.js';
import { readQuery } from '../read-request.js';
import type { AppEnv } from '../server-context.js';

/**
 * GET /api/projects/:project/export?filter=TEXT|selector=TERMS&format=tsv|json: what `cohort export`
 * prints, for the subjects table's Export button (its filter bar text) or a script (a selector).
 * Sent as a download (`Content-Disposition: attachment`).
 */
export const exportQuery = z
  .object({
    filter: z.string().max(10_000).optional(),
    selector: z.string().max(10_000).optional(),
    format: z.enum(['tsv', 'json']).default('tsv'),
  })
  .strict();

export function exportRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/projects/:project/export', (c) => {
    const project = authorizeProject(c, 'read');
    const q = readQuery(c, exportQuery);
    const source = q.selector !== undefined ? q.selector || '*' : { filter: q.filter ?? '' };
    const data = exportCohort(c.var.ctx.catalog.db, project, source);
    const name = `${project.name}-export.${q.format}`;
    const disposition = `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"`;
    if (q.format === 'json') {
      return c.body(JSON.stringify(data), 200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': disposition,
      });
    }
    return c.body(exportTsv(exportRows(data)), 200, {
      'Content-Type': 'text/tab-separated-values; charset=utf-8',
      'Content-Disposition': disposition,
      'X-Content-Type-Options': 'nosniff',
    });
  });
  return app;
}
