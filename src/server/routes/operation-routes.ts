import { Hono } from 'hono';
import { checkDicomImport } from '../../catalog/dicom/import-dicom.js';
import { detectLayout } from '../../catalog/layout/make-layout.js';
import { ownPaths } from '../../catalog/own-paths.js';
import { createProject } from '../../catalog/project-store.js';
import { CohortError, notFound } from '../../errors/cohort-error.js';
import {
  createOperationBody,
  importDicomBody,
  type Operation,
  type OperationsResponse,
} from '../api-types.js';
import { authorizeProject, readableProjects, requireServerAdmin, requireUser } from '../auth/rights.js';
import { checkImportSource } from '../operations/import-source.js';
import { importWork, indexWork } from '../operations/project-operations.js';
import { idParam, readBody } from '../read-request.js';
import type { AppEnv } from '../server-context.js';
import type { Context } from 'hono';
import type { OperationRegistry } from '../operations/operation-registry.js';
import { listProjects } from '../../catalog/project-store.js';

/**
 * Project operations that take a while, run in the server with progress the page polls: create a
 * project from a folder (server admins), rescan and import DICOM (run role). Each request is checked
 * completely before it is answered 202 with the operation; only the long part runs afterwards.
 */
export function operationRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/operations/create', async (c) => {
    const user = requireServerAdmin(c);
    const body = await readBody(c, createOperationBody);
    const { catalog, operations } = c.var.ctx;
    const project = createProject(
      catalog.db,
      {
        name: body.name,
        root: body.root,
        layout: body.layout === 'auto' ? detectLayout(body.root) : body.layout,
      },
      ownPaths(catalog.config),
    );
    const op = operations.start('create', project.name, user.name, 'indexing', indexWork(catalog, project));
    return c.json(op satisfies Operation, 202);
  });

  app.post('/projects/:project/operations/rescan', (c) => {
    const project = authorizeProject(c, 'rescan');
    const user = requireUser(c);
    const { catalog, operations } = c.var.ctx;
    refuseBusy(operations, project.name);
    const op = operations.start('rescan', project.name, user.name, 'indexing', indexWork(catalog, project));
    return c.json(op satisfies Operation, 202);
  });

  app.post('/projects/:project/operations/import-dicom', async (c) => {
    const project = authorizeProject(c, 'rescan');
    const user = requireUser(c);
    const body = await readBody(c, importDicomBody);
    const { catalog, operations } = c.var.ctx;
    const overrides = {
      ...(body.subject === undefined ? {} : { subject: body.subject }),
      ...(body.study === undefined ? {} : { study: body.study }),
    };
    // The CLI's own checks (layout, an existing folder, usable ids), then where the web may read from.
    const checked = checkDicomImport(project, body.source, overrides);
    const readable = new Set(readableProjects(catalog.db, c.var.principal).map((p) => p.id));
    const source = checkImportSource(checked, {
      admin: user.admin,
      importRoots: catalog.config.importRoots,
      own: ownPaths(catalog.config),
      hiddenRoots: listProjects(catalog.db)
        .filter((p) => !readable.has(p.id))
        .map((p) => p.root),
    });
    refuseBusy(operations, project.name);
    const op = operations.start(
      'import-dicom',
      project.name,
      user.name,
      'converting',
      importWork(catalog, project, source, overrides),
    );
    return c.json(op satisfies Operation, 202);
  });

  app.get('/operations', (c) => {
    const user = requireUser(c);
    const operations = c.var.ctx.operations.list(user.admin ? undefined : user.name);
    return c.json({ operations } satisfies OperationsResponse);
  });
  app.get('/operations/:id', (c) => c.json(ownOperation(c) satisfies Operation));
  app.delete('/operations/:id', (c) => {
    const op = ownOperation(c);
    c.var.ctx.operations.cancel(op.id);
    return c.json(op satisfies Operation);
  });
  return app;
}

/** An operation the caller started (a server admin: anyone's); another's answers 404 like none. */
function ownOperation(c: Context<AppEnv>): Operation {
  const user = requireUser(c);
  const id = idParam(c, 'id');
  const op = c.var.ctx.operations.get(id);
  if (op === undefined || (!user.admin && op.owner !== user.name))
    throw notFound(`No operation ${id}.`, 'GET /api/operations lists yours (ended ones are kept a while).');
  return op;
}

function refuseBusy(operations: OperationRegistry, project: string): void {
  const busy = operations.running(project);
  if (busy !== undefined)
    throw new CohortError(
      'CONFLICT',
      `Project '${project}' is busy: ${busy.kind} (operation ${busy.id}) runs.`,
      {
        hint: 'Wait until it ends (the projects page shows its progress), then try again.',
        retryable: true,
      },
    );
}
