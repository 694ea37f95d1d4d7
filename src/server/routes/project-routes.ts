import { Hono } from 'hono';
import { indexProject } from '../../catalog/indexer/index-project.js';
import { detectLayout } from '../../catalog/layout/make-layout.js';
import { ownPaths } from '../../catalog/own-paths.js';
import { createProject } from '../../catalog/project-store.js';
import { createProjectBody, type IndexResponse } from '../api-types.js';
import { authorizeProject, requireServerAdmin } from '../auth/rights.js';
import { readBody } from '../read-request.js';
import type { AppEnv } from '../server-context.js';

/** Creating a project from a folder (server admins: it opens a server path) and rescanning one. */
export function projectRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/projects', async (c) => {
    requireServerAdmin(c);
    const body = await readBody(c, createProjectBody);
    const catalog = c.var.ctx.catalog;
    // Own paths: no project may expose COHORT_HOME or the database (the CLI's create checks the same).
    const project = createProject(
      catalog.db,
      {
        name: body.name,
        root: body.root,
        layout: body.layout === 'auto' ? detectLayout(body.root) : body.layout,
      },
      ownPaths(catalog.config),
    );
    return c.json((await indexProject(catalog, project)) satisfies IndexResponse, 201);
  });
  app.post('/projects/:project/rescan', async (c) => {
    const project = authorizeProject(c, 'rescan');
    return c.json((await indexProject(c.var.ctx.catalog, project)) satisfies IndexResponse);
  });
  return app;
}
