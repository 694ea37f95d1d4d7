import type { Db } from '../../db/open-database.js';
import type { KnownFile } from './diff-container.js';

/** What the catalog holds for one subject folder. */
export interface KnownSubject {
  /** The subject's row exists and is present. */
  readonly present: boolean;
  /** Files of each of the subject's studies (present or not), by study folder. */
  readonly filesByFolder: ReadonlyMap<string, KnownFile[]>;
  /** The subject's present studies: study id to folder. */
  readonly presentStudies: ReadonlyMap<string, string>;
  /** The order key of each of the subject's studies. */
  readonly sortKeys: ReadonlyMap<string, string>;
}

type Row = [
  subjectPresent: number,
  sid: string | null,
  studyFolder: string | null,
  studyPresent: number | null,
  sortKey: string | null,
  path: string | null,
  size: number | null,
  mtimeMs: number | null,
  filePresent: number | null,
];

/**
 * Reads what the catalog knows about a subject folder in one indexed query (subjects by folder, then
 * studies by subject, then files by study): one query per subject instead of one per study keeps a
 * rescan linear in subjects and cheap per study.
 */
export function knownSubjectReader(db: Db): (projectId: number, folder: string) => KnownSubject {
  const query = db
    .prepare(
      `SELECT p.present, s.sid, s.folder, s.present, s.sort_key, f.path, f.size, f.mtime_ms, f.present
       FROM subjects p
       LEFT JOIN studies s ON s.subject_id = p.id
       LEFT JOIN files f ON f.study_id = s.id
       WHERE p.project_id = ? AND p.folder = ?`,
    )
    .raw();
  return (projectId, folder) => {
    const filesByFolder = new Map<string, KnownFile[]>();
    const presentStudies = new Map<string, string>();
    const sortKeys = new Map<string, string>();
    let present = false;
    for (const row of query.all(projectId, folder) as Row[]) {
      const [subjectPresent, sid, studyFolder, studyPresent, sortKey, path, size, mtimeMs, filePresent] = row;
      present = subjectPresent === 1;
      if (sid === null || studyFolder === null) continue;
      if (sortKey !== null) sortKeys.set(sid, sortKey);
      if (studyPresent === 1) presentStudies.set(sid, studyFolder);
      let files = filesByFolder.get(studyFolder);
      if (files === undefined) filesByFolder.set(studyFolder, (files = []));
      if (path !== null) files.push([path, Number(size), Number(mtimeMs), Number(filePresent)]);
    }
    return { present, filesByFolder, presentStudies, sortKeys };
  };
}
