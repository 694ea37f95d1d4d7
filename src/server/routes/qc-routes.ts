import { join } from 'node:path';
import { Hono } from 'hono';
import { projectFile } from '../../browse/project-file.js';
import { isOwnFile, ownPaths } from '../../catalog/own-paths.js';
import { notFound } from '../../errors/cohort-error.js';
import { qcItems } from '../../qc/qc-items.js';
import { ThumbnailPool } from '../../qc/thumbnail-pool.js';
import { parseFilter } from '../../selection/parse-filter.js';
import { runFilter } from '../../selection/run-filter.js';
import { qcItemsQuery, qcThumbnailQuery, type QcItemsResponse } from '../api-qc-types.js';
import { authorizeProject } from '../auth/rights.js';
import { readQuery } from '../read-request.js';
import type { AppEnv, ServerContext } from '../server-context.js';

/**
 * One thumbnail pool per server (its catalog's COHORT_HOME), kept for the server's life: thumbnails are
 * drawn in its threads, so the server answers other requests meanwhile. Its idle threads keep no
 * process alive.
 */
const pools = new WeakMap<ServerContext, ThumbnailPool>();

function poolOf(ctx: ServerContext): ThumbnailPool {
  let pool = pools.get(ctx);
  if (pool === undefined) {
    pool = new ThumbnailPool(join(ctx.catalog.config.home, 'cache', 'thumbnails'));
    pools.set(ctx, pool);
  }
  return pool;
}

/**
 * The QC mosaic: which image each selected study shows, and the thumbnails themselves. Tagging goes
 * through the ordinary `POST .../tags`, so QC verdicts are tags like any other (`STAG:qc_bad`).
 */
export function qcRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/projects/:project/qc/items', (c) => {
    const project = authorizeProject(c, 'read');
    const q = readQuery(c, qcItemsQuery);
    const db = c.var.ctx.catalog.db;
    const studies = runFilter(db, project, parseFilter(q.filter));
    const items = qcItems(db, project, studies, {
      image: q.pattern,
      ...(q.overlay === undefined ? {} : { overlay: q.overlay }),
    });
    return c.json({ items } satisfies QcItemsResponse);
  });
  app.get('/projects/:project/qc/thumbnail', async (c) => {
    const project = authorizeProject(c, 'read');
    const { path, overlay, ...options } = readQuery(c, qcThumbnailQuery);
    const own = ownPaths(c.var.ctx.catalog.config);
    const inside = (rootPath: string): string => {
      const file = projectFile(project, rootPath);
      // Cohort's own files (database, run folders) are never read, whatever the roots (as file-routes).
      if (isOwnFile(file.absolutePath, own)) throw notFound(`No file '${rootPath}' in this project.`);
      return file.absolutePath;
    };
    const thumbnail = await poolOf(c.var.ctx).thumbnail({
      image: inside(path),
      overlay: overlay === undefined ? undefined : inside(overlay),
      options,
    });
    return c.body(new Uint8Array(thumbnail.png), 200, {
      'Content-Type': 'image/png',
      'X-Cohort-Cache': thumbnail.cached ? 'hit' : 'miss',
    });
  });
  return app;
}
