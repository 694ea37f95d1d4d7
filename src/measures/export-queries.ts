import type { Db } from '../db/open-database.js';

/**
 * Read-only lookups `cohort export` needs beyond the selection, tags and measures: study descriptions
 * and file entities (BIDS). The tables are written by the catalog; nothing here writes.
 */

/** Descriptions of studies by id (studies without one are left out). */
export function studyDescriptions(db: Db, studyIds: readonly number[]): Map<number, string> {
  const rows = db
    .prepare(
      `SELECT id, description FROM studies WHERE id IN (SELECT value FROM json_each(?)) AND description IS NOT NULL AND description <> ''`,
    )
    .all(JSON.stringify(studyIds)) as Array<{ id: number; description: string }>;
  return new Map(rows.map((r) => [r.id, r.description]));
}

/** Entities (BIDS `sub`, `ses`, `task`, `run`, suffix...) of files by id, as stored by the indexer. */
export function fileEntities(db: Db, fileIds: readonly number[]): Map<number, Record<string, string>> {
  const rows = db
    .prepare(
      'SELECT id, entities FROM files WHERE id IN (SELECT value FROM json_each(?)) AND entities IS NOT NULL',
    )
    .all(JSON.stringify(fileIds)) as Array<{ id: number; entities: string }>;
  const out = new Map<number, Record<string, string>>();
  for (const row of rows) {
    const parsed = JSON.parse(row.entities) as unknown;
    if (typeof parsed !== 'object' || parsed === null) continue;
    out.set(
      row.id,
      Object.fromEntries(
        Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      ),
    );
  }
  return out;
}

/** Present files of studies, by study, in path order: a filter-bar export's files. */
export function filesOfStudies(
  db: Db,
  studyIds: readonly number[],
): Map<number, Array<{ fileId: number; path: string; size: number; mtimeMs: number }>> {
  const rows = db
    .prepare(
      `SELECT study_id AS studyId, id AS fileId, path, size, mtime_ms AS mtimeMs FROM files
       WHERE study_id IN (SELECT value FROM json_each(?)) AND present = 1 ORDER BY study_id, path`,
    )
    .all(JSON.stringify(studyIds)) as Array<{
    studyId: number;
    fileId: number;
    path: string;
    size: number;
    mtimeMs: number;
  }>;
  const out = new Map<number, Array<{ fileId: number; path: string; size: number; mtimeMs: number }>>();
  for (const { studyId, ...file } of rows) {
    const list = out.get(studyId);
    if (list === undefined) out.set(studyId, [file]);
    else list.push(file);
  }
  return out;
}
