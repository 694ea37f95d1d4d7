import { resolve } from 'node:path';
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

/** Turns a study row into a {@link StudyRef}; `root` is the project's absolute root. */
export function toStudyRef(row: StudyRow, root: string): StudyRef {
  return {
    studyId: row.study_id,
    subjectId: row.subject_id,
    pid: row.pid,
    sid: row.sid,
    ref: `${row.pid}#${row.sid}`,
    // The catalog stores folders relative to the root; resolve() also copes with an absolute one.
    folder: resolve(root, row.folder),
  };
}
