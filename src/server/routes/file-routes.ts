import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { getFileRow } from '../../browse/list-files.js';
import { projectFile, realFileInside, type ProjectFile } from '../../browse/project-file.js';
import { isOwnFile, ownPaths } from '../../catalog/own-paths.js';
import type { Project } from '../../catalog/project-store.js';
import { isCohortError, notFound } from '../../errors/cohort-error.js';
import { resolveFilePath } from '../../selection/resolve-file-path.js';
import { pathQuery, type FileRow, type PathInfo } from '../api-types.js';
import { authorizeProject } from '../auth/rights.js';
import { idParam, readQuery } from '../read-request.js';
import type { AppEnv } from '../server-context.js';

/**
 * File metadata and content, by catalog id (`/files/:fileId`) or by path relative to the root
 * (`/file?path=`). Every path is resolved with symbolic links followed and must stay inside the project
 * root (browse/project-file.ts). Content is always sent as `application/octet-stream` with `nosniff` and
 * a sandbox CSP, so no file (an `.html` a job wrote, say) is ever rendered or run by the browser.
 * Cohort's own files (database, run folders) are never served, whatever the roots.
 */
export function fileRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/projects/:project/files/:fileId', (c) => {
    const project = authorizeProject(c, 'read');
    return c.json(getFileRow(c.var.ctx.catalog.db, project, idParam(c, 'fileId')) satisfies FileRow);
  });
  app.get('/projects/:project/files/:fileId/content', (c) => {
    const project = authorizeProject(c, 'read');
    const row = getFileRow(c.var.ctx.catalog.db, project, idParam(c, 'fileId'));
    const file = notOwn(c, realFileInside(project, join(project.root, row.rootPath), row.rootPath));
    return sendFile(c, file, c.req.query('download') !== undefined);
  });

  app.get('/projects/:project/file', (c) => {
    const project = authorizeProject(c, 'read');
    const { path } = readQuery(c, pathQuery);
    const file = notOwn(c, projectFile(project, path));
    const db = c.var.ctx.catalog.db;
    let row: FileRow | null = null;
    try {
      row = getFileRow(db, project, resolveFilePath(db, project, file.absolutePath));
    } catch (error) {
      if (!isCohortError(error)) throw error; // on disk but not (yet) in the catalog
    }
    return c.json({
      rootPath: file.rootPath,
      size: file.size,
      mtimeMs: file.mtimeMs,
      file: row,
    } satisfies PathInfo);
  });
  app.get('/projects/:project/file/content', (c) => {
    const project = authorizeProject(c, 'read');
    const { path, download } = readQuery(c, pathQuery);
    return sendFile(c, notOwn(c, projectFile(project, path)), download !== undefined);
  });
  return app;
}

/**
 * Refuses Cohort's own files (the database, run folders with job credentials) whatever the project
 * roots: a root made before roots were checked may contain COHORT_HOME. Answers like a missing file.
 */
function notOwn(c: Context<AppEnv>, file: ProjectFile): ProjectFile {
  if (isOwnFile(file.absolutePath, ownPaths(c.var.ctx.catalog.config))) {
    throw notFound(`No file '${file.rootPath}' in this project.`, "Cohort's own files are never served.");
  }
  return file;
}

/**
 * A file the client names by its path relative to the project root, checked like every file route:
 * inside the root once links are followed, never one of Cohort's own files. For other routes (viewer).
 */
export function readableFile(c: Context<AppEnv>, project: Project, rootPath: string): ProjectFile {
  return notOwn(c, projectFile(project, rootPath));
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` (one range; several are answered whole, as RFC 9110 allows). */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'bad' | null {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null) return null;
  const [a = '', b = ''] = [m[1], m[2]];
  if (a === '' && b === '') return 'bad';
  const start = a === '' ? Math.max(0, size - Number(b)) : Number(a);
  const end = a === '' || b === '' ? size - 1 : Math.min(Number(b), size - 1);
  return start > end || start >= size ? 'bad' : { start, end };
}

function sendFile(c: Context<AppEnv>, file: ProjectFile, download: boolean): Response {
  const name = file.rootPath.split('/').pop() ?? 'file';
  // Range requests let a viewer read a header or a frame without the whole file.
  const range = parseRange(c.req.header('Range'), file.size);
  if (range === 'bad') {
    return c.body(null, 416, { 'Content-Range': `bytes */${file.size}` });
  }
  // 1 MiB chunks instead of 64 KiB: a 64 MiB volume crosses the Node-to-web stream bridge in 64 pieces,
  // not a thousand.
  const stream = Readable.toWeb(
    createReadStream(file.absolutePath, { ...(range ?? {}), highWaterMark: 1 << 20 }),
  ) as ReadableStream<Uint8Array>;
  return c.body(stream, range === null ? 200 : 206, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(range === null ? file.size : range.end - range.start + 1),
    'Accept-Ranges': 'bytes',
    ...(range === null ? {} : { 'Content-Range': `bytes ${range.start}-${range.end}/${file.size}` }),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "sandbox; default-src 'none'",
    // RFC 6266: a plain ASCII fallback plus the UTF-8 name, percent-encoded: no name can break the header.
    'Content-Disposition': `${download ? 'attachment' : 'inline'}; filename="${name.replace(/[^\w. -]/g, '_')}"; filename*=UTF-8''${rfc5987(name)}`,
  });
}

function rfc5987(name: string): string {
  return encodeURIComponent(name).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
