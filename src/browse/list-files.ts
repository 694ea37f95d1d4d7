import { studyFileRel } from '../catalog/layout/derivatives.js';
import type { Project } from '../catalog/project-store.js';
import { tagsOf } from '../catalog/tags.js';
import type { Db } from '../db/open-database.js';
import { notFound } from '../errors/cohort-error.js';
import { likeSql, toLikePattern } from '../selection/like-pattern.js';
import { parseFilter } from '../selection/parse-filter.js';
import { fileLevelCondition, filterCondition } from '../selection/run-filter.js';
import { sql, type SqlFragment } from '../selection/sql-fragment.js';
import { presentStudiesFrom } from '../selection/study-row.js';
import type { FileRow, Page, PageRequest } from './browse-types.js';

interface FileQueryRow {
  readonly fileId: number;
  readonly studyId: number;
  readonly pid: string;
  readonly sid: string;
  readonly folder: string;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly entities: string | null;
  readonly total?: number;
}

const COLUMNS = sql`f.id AS fileId, f.study_id AS studyId, sub.pid, s.sid, s.folder, f.path, f.size, f.mtime_ms AS mtimeMs, f.entities`;

/**
 * One page of the files table: present files of the studies matching the filter-bar text, optionally
 * only those whose path in the study matches `pattern` (`t1*\/*.nii`), with tags and the total count.
 *
 * @throws SyntaxErrorAt for bad filter text; CohortError INVALID_INPUT for a bad pattern.
 */
export function listFiles(
  db: Db,
  project: Project,
  filterText: string,
  pattern: string | undefined,
  page: PageRequest,
): Page<FileRow> {
  const filter = parseFilter(filterText);
  // Studies by the filter; within them, file terms (FTAG, paths, entities) pick the files too.
  const condition = sql`(${filterCondition(filter)}) AND (${fileLevelCondition(filter)})`;
  const like =
    pattern === undefined || pattern === '' ? sql`1` : likeSql(sql`f.path`, toLikePattern(pattern));
  const counting = page.count !== false;
  const query = sql`SELECT ${COLUMNS}${counting ? sql`, count(*) OVER () AS total` : sql``}
    FROM files f JOIN ${presentStudiesFrom(project.id, { subjectLevel: true })} AND (${condition}) AND s.id = f.study_id
      AND f.present = 1 AND ${like}
    ORDER BY sub.pid, s.sort_key, s.sid, f.path LIMIT ${page.limit} OFFSET ${page.offset}`;
  const rows = db.prepare(query.text).all(...query.params) as FileQueryRow[];
  const total = counting ? (rows[0]?.total ?? countFiles(db, project, condition, like, page)) : null;
  const tags = tagsOf(
    db,
    'file',
    rows.map((r) => r.fileId),
  );
  return {
    total,
    offset: page.offset,
    limit: page.limit,
    items: rows.map((r) => toFileRow(project, r, tags)),
  };
}

/** One present study file of a project by id, as a table row. @throws CohortError NOT_FOUND (also for another project's file). */
export function getFileRow(db: Db, project: Project, fileId: number): FileRow {
  const query = sql`SELECT ${COLUMNS} FROM files f JOIN ${presentStudiesFrom(project.id, { subjectLevel: true })}
    AND s.id = f.study_id AND f.present = 1 AND f.id = ${fileId}`;
  const row = db.prepare(query.text).get(...query.params) as FileQueryRow | undefined;
  if (row === undefined) throw notFound(`No file ${fileId} in project '${project.name}'.`);
  return toFileRow(project, row, tagsOf(db, 'file', [fileId]));
}

function toFileRow(project: Project, r: FileQueryRow, tags: Map<number, string[]>): FileRow {
  return {
    fileId: r.fileId,
    studyId: r.studyId,
    ref: `${r.pid}#${r.sid}`,
    path: r.path,
    rootPath: r.folder === '' ? r.path : studyFileRel(project.layout, r.folder, r.path),
    size: r.size,
    mtimeMs: r.mtimeMs,
    tags: tags.get(r.fileId) ?? [],
    ...(r.entities === null ? {} : { entities: JSON.parse(r.entities) as Record<string, string> }),
  };
}

function countFiles(
  db: Db,
  project: Project,
  condition: SqlFragment,
  like: SqlFragment,
  page: PageRequest,
): number {
  if (page.offset === 0) return 0;
  const query = sql`SELECT count(*) FROM files f JOIN ${presentStudiesFrom(project.id, { subjectLevel: true })} AND (${condition})
    AND s.id = f.study_id AND f.present = 1 AND ${like}`;
  return db
    .prepare(query.text)
    .pluck()
    .get(...query.params) as number;
}
