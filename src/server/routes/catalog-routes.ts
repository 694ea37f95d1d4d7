import { Hono } from 'hono';
import { mapInChunks } from '../map-in-chunks.js';
import { addFiles } from '../../catalog/add-files.js';
import { addTags, allInProject, removeTags, type TagLevel } from '../../catalog/tags.js';
import type { Db } from '../../db/open-database.js';
import { isCohortError, notFound } from '../../errors/cohort-error.js';
import { listFiles } from '../../browse/list-files.js';
import { countStudies, listStudies } from '../../browse/list-studies.js';
import { countSubjects, listSubjects } from '../../browse/list-subjects.js';
import type { PageRequest } from '../../browse/browse-types.js';
import { projectFile } from '../../browse/project-file.js';
import {
  addFilesBody,
  filesQuery,
  filterQuery,
  tagsBody,
  type AddFilesResponse,
  type CountResponse,
  type ProjectInfo,
  type TagsResponse,
} from '../api-types.js';
import { authorizeProject, readableProjects } from '../auth/rights.js';
import { readBody, readQuery } from '../read-request.js';
import type { AppEnv } from '../server-context.js';

/** /api/projects, and per project: the subjects, studies and files tables, tags, and adding files. */
export function catalogRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/projects', (c) =>
    c.json(
      readableProjects(c.var.ctx.catalog.db, c.var.principal).map((p) => ({
        id: p.id,
        name: p.name,
        layout: p.layout,
        role: p.role,
      })) satisfies ProjectInfo[],
    ),
  );

  app.get('/projects/:project/subjects', (c) => {
    const project = authorizeProject(c, 'read');
    const q = readQuery(c, filterQuery);
    const page = { ...pageOf(q), ...(q.after === undefined ? {} : { after: q.after }) };
    return c.json(listSubjects(c.var.ctx.catalog.db, project, q.filter, page));
  });
  app.get('/projects/:project/studies', (c) => {
    const project = authorizeProject(c, 'read');
    const q = readQuery(c, filterQuery);
    return c.json(listStudies(c.var.ctx.catalog.db, project, q.filter, pageOf(q)));
  });
  // The totals alone: the web table asks for them apart from its pages, once typing pauses.
  app.get('/projects/:project/subjects/count', (c) => {
    const project = authorizeProject(c, 'read');
    const q = readQuery(c, filterQuery);
    return c.json({ total: countSubjects(c.var.ctx.catalog.db, project, q.filter) } satisfies CountResponse);
  });
  app.get('/projects/:project/studies/count', (c) => {
    const project = authorizeProject(c, 'read');
    const q = readQuery(c, filterQuery);
    return c.json({ total: countStudies(c.var.ctx.catalog.db, project, q.filter) } satisfies CountResponse);
  });
  app.get('/projects/:project/files', (c) => {
    const project = authorizeProject(c, 'read');
    const q = readQuery(c, filesQuery);
    return c.json(listFiles(c.var.ctx.catalog.db, project, q.filter, q.pattern, pageOf(q)));
  });

  app.post('/projects/:project/tags', async (c) => {
    const project = authorizeProject(c, 'tag');
    const body = await readBody(c, tagsBody);
    const db = c.var.ctx.catalog.db;
    assertInProject(db, project.id, body.level, body.ids);
    const change = body.action === 'add' ? addTags : removeTags;
    return c.json({ changed: change(db, body.level, body.ids, body.tags) } satisfies TagsResponse);
  });

  // Files already inside the root only: the server never copies a path of its own disk into a project.
  app.post('/projects/:project/files', async (c) => {
    const project = authorizeProject(c, 'addFiles');
    const body = await readBody(c, addFilesBody);
    const db = c.var.ctx.catalog.db;
    // In chunks, each one transaction, yielding between them: other requests are served meanwhile.
    const results = await mapInChunks<string, AddFilesResponse[number]>(
      body.paths,
      (input) => {
        try {
          const file = projectFile(project, input);
          const [added] = addFiles(c.var.ctx.catalog, project, [file.absolutePath], { tags: body.tags });
          if (added === undefined) throw new Error('addFiles returned no result');
          return added.ok
            ? { input, ok: true, fileId: added.fileId, path: added.path }
            : {
                input,
                ok: false,
                error: added.error,
                ...(added.hint === undefined ? {} : { fix: added.hint }),
              };
        } catch (error) {
          if (!isCohortError(error)) throw error;
          return {
            input,
            ok: false,
            error: error.message,
            ...(error.hint === undefined ? {} : { fix: error.hint }),
          };
        }
      },
      (work) => db.transaction(work).immediate(),
      c.var.ctx.writeChunk,
    );
    return c.json(results satisfies AddFilesResponse);
  });
  return app;
}

/** Ids of another project (or of nothing) are not found, whichever: no way to probe other projects. */
function assertInProject(db: Db, projectId: number, level: TagLevel, ids: readonly number[]): void {
  if (!allInProject(db, projectId, level, ids)) {
    throw notFound(
      `Some ${level} ids are not in this project.`,
      'Use the ids the tables of this project list.',
    );
  }
}

/** Paging of a table request; `count=false` leaves the total out. */
function pageOf(q: { limit: number; offset: number; count: 'true' | 'false' }): PageRequest {
  return { limit: q.limit, offset: q.offset, count: q.count === 'true' };
}
