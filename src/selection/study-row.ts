import { relative, resolve } from 'node:path';
import type { StudyRef } from './selection.js';
import { sql, type SqlFragment } from './sql-fragment.js';

/** The study columns selector and filter queries return, under these names. */
export interface StudyRow {
  readonly study_id: number;
  readonly subject_id: number;
  readonly pid: string;
  readonly sid: string;
  readonly folder: string;
}

/**
 * Present studies of present subjects of one project, as `s` (studies) joined to `sub` (subjects).
 * Everything selectable starts here: absent rows stay in the catalog only to keep history.
 */
export function presentStudiesFrom(projectId: number, options: { subjectLevel?: boolean } = {}): SqlFragment {
  // Subject-level containers (BIDS files beside the sessions) are no study: left out unless asked for.
  const level = options.subjectLevel === true ? sql`` : sql` AND s.subject_level = 0`;
  return sql`studies s JOIN subjects sub ON sub.id = s.subject_id
    WHERE s.project_id = ${projectId} AND s.present = 1 AND sub.present = 1${level}`;
}

/**
 * {@link presentStudiesFrom} walked in selection order: subjects by id (their `(project_id, pid)` index),
 * each subject's studies chronologically (`studies_subject_order`), so `ORDER BY sub.pid, s.sort_key,
 * s.sid` needs no sort and a `LIMIT` stops early. CROSS JOIN fixes that loop order (without statistics
 * SQLite starts from the studies and sorts them all); `+s.project_id` keeps it off `studies_project`.
 */
export function orderedStudiesFrom(projectId: number, options: { subjectLevel?: boolean } = {}): SqlFragment {
  const level = options.subjectLevel === true ? sql`` : sql` AND s.subject_level = 0`;
  return sql`subjects sub CROSS JOIN studies s ON s.subject_id = sub.id
    WHERE sub.project_id = ${projectId} AND +s.project_id = ${projectId} AND s.present = 1 AND sub.present = 1${level}`;
}

/** A relative path with nothing to normalise: no `.` or `..` segment, no empty one, no leading `/`. */
const NOT_PLAIN = /(^|\/)\.{1,2}(\/|$)|\/\/|^\/|\/$|^$/;

/** A catalog folder relative to the root with nothing to normalise: `underRoot` only joins it. */
export const isPlainFolder = (folder: string): boolean => !NOT_PLAIN.test(folder);

/** An absolute root as resolve() leaves it (`/`, or no `.`, `..` or empty segment and no trailing `/`). */
export const plainRoot = (root: string): boolean =>
  root === '/' || (root.startsWith('/') && !NOT_PLAIN.test(root.slice(1)));

/**
 * `resolve(root, folder)` for the absolute `root`, without path.resolve's cost where the catalog's
 * relative folder needs no normalising (selections build one per study: 200,000 of them took a
 * second of resolve() and its garbage). Anything else goes through resolve() as before.
 */
export function underRoot(root: string, folder: string): string {
  if (NOT_PLAIN.test(folder) || !plainRoot(root)) return resolve(root, folder);
  return root.endsWith('/') ? `${root}${folder}` : `${root}/${folder}`;
}

/** `relative(root, path)` with the same fast path: a plain path under `root` is sliced, not walked. */
export function fromRoot(root: string, path: string): string {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  if (path.startsWith(prefix) && plainRoot(root)) {
    const rest = path.slice(prefix.length);
    if (!NOT_PLAIN.test(rest)) return rest;
  }
  return relative(root, path);
}

/** Turns a study row into a {@link StudyRef}; `root` is the project's absolute root. */
export function toStudyRef(row: StudyRow, root: string): StudyRef {
  return {
    studyId: row.study_id,
    subjectId: row.subject_id,
    pid: row.pid,
    sid: row.sid,
    ref: `${row.pid}#${row.sid}`,
    // The catalog stores folders relative to the root; an absolute one is resolved as it stands.
    folder: underRoot(root, row.folder),
  };
}
