import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Project } from '../../catalog/project-store.js';
import {
  deleteBatch,
  duplicateBatch,
  listBatches,
  loadBatch,
  moveBatch,
  saveBatch,
  setBatchFavourite,
  type BatchListEntry,
} from '../../batches/batch-store.js';
import type { BatchDefinition } from '../../batches/batch-definition.js';
import { notFound } from '../../errors/cohort-error.js';
import {
  batchListQuery,
  duplicateBatchBody,
  saveBatchBody,
  updateBatchBody,
  type BatchResponse,
} from '../api-types.js';
import { authorizeProject } from '../auth/rights.js';
import { idParam, readBody, readQuery } from '../read-request.js';
import type { AppEnv } from '../server-context.js';

/** The batch list of a project: list (folders, favourites), get, save, update, duplicate, delete. */
export function batchRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const base = '/projects/:project/batches';

  app.get(base, (c) => {
    const project = authorizeProject(c, 'read');
    const q = readQuery(c, batchListQuery);
    return c.json(
      listBatches(c.var.ctx.catalog.db, project, {
        ...(q.folder === undefined ? {} : { folder: q.folder }),
        favouritesOnly: q.favourites === '1' || q.favourites === 'true',
      }) satisfies BatchListEntry[],
    );
  });
  app.get(`${base}/:id`, (c) => {
    const project = authorizeProject(c, 'read');
    const entry = entryOf(c, project);
    const batch = loadBatch(c.var.ctx.catalog.db, project, entry);
    return c.json({ entry, batch } satisfies BatchResponse);
  });
  app.post(base, async (c) => {
    const project = authorizeProject(c, 'editBatches');
    const body = await readBody(c, saveBatchBody);
    const entry = saveBatch(c.var.ctx.catalog.db, project, body.batch as BatchDefinition, {
      folder: body.folder,
      ...(body.favourite === undefined ? {} : { favourite: body.favourite }),
    });
    return c.json(entry satisfies BatchListEntry, 201);
  });
  app.patch(`${base}/:id`, async (c) => {
    const project = authorizeProject(c, 'editBatches');
    const body = await readBody(c, updateBatchBody);
    const db = c.var.ctx.catalog.db;
    let entry = entryOf(c, project);
    if (body.name !== undefined || body.folder !== undefined) {
      entry = moveBatch(db, project, entry, {
        name: body.name ?? entry.name,
        folder: body.folder ?? entry.folder,
      });
    }
    if (body.favourite !== undefined) {
      setBatchFavourite(db, project, entry, body.favourite);
      entry = { ...entry, favourite: body.favourite };
    }
    return c.json(entry satisfies BatchListEntry);
  });
  app.post(`${base}/:id/duplicate`, async (c) => {
    const project = authorizeProject(c, 'editBatches');
    const to = await readBody(c, duplicateBatchBody);
    const entry = duplicateBatch(c.var.ctx.catalog.db, project, entryOf(c, project), to);
    return c.json(entry satisfies BatchListEntry, 201);
  });
  app.delete(`${base}/:id`, (c) => {
    const project = authorizeProject(c, 'editBatches');
    deleteBatch(c.var.ctx.catalog.db, project, entryOf(c, project));
    return c.json({ deleted: true });
  });
  return app;
}

/** The saved batch with the path's id, in this project only. */
function entryOf(c: Context<AppEnv>, project: Project): BatchListEntry {
  const id = idParam(c, 'id');
  const entry = listBatches(c.var.ctx.catalog.db, project).find((e) => e.id === id);
  if (entry === undefined) throw notFound(`No saved batch ${id} in project '${project.name}'.`);
  return entry;
}
