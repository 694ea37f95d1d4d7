import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { parseFilter } from '../selection/parse-filter.js';
import { parseSelector } from '../selection/parse-selector.js';
import { runFilter } from '../selection/run-filter.js';
import { selectStudies } from '../selection/run-selector.js';
import { groupBySubject, type StudyRef, type SubjectGroup } from '../selection/selection.js';
import { sql } from '../selection/sql-fragment.js';
import {
  isPlainFolder,
  plainRoot,
  presentStudiesFrom,
  toStudyRef,
  underRoot,
  type StudyRow,
} from '../selection/study-row.js';

/**
 * What a batch runs over: every study of the project (`'all'`), the given studies, a selector
 * (`{ selector: '*#LATEST stag:qc_ok' }`; file terms are ignored) or filter-bar text
 * (`{ filter: 'P00 & STAG:qc_ok' }`). At subject level the items are the subjects of these studies.
 */
export type BatchItems =
  | 'all'
  | readonly StudyRef[]
  | { readonly selector: string | readonly string[] }
  | { readonly filter: string };

/** The selected studies and every present study of their subjects, read in two statements at most. */
export interface BatchScope {
  /** Selected studies, as the catalog has them now, in the order given (selectors: pid, then time). */
  readonly selected: readonly StudyRef[];
  /** Given studies that are not (or no longer) present studies of the project. */
  readonly unknown: readonly StudyRef[];
  /** Subjects of the selected studies, by pid, each with all its present studies oldest first. */
  readonly subjects: readonly SubjectGroup[];
  /** The subjects' own containers (BIDS files beside the sessions), by subject id. */
  readonly subjectLevels: ReadonlyMap<number, StudyRef>;
}

/**
 * Loads the scope of a batch run. Subject-level references (OLDEST, tagged...) resolve among all of a
 * subject's present studies, not only the selected ones: selecting a subject's latest study in the table
 * must not turn its latest study into its oldest.
 */
export function loadBatchScope(db: Db, project: Project, items: BatchItems): BatchScope {
  if (items === 'all') {
    const subjects = groupBySubject(queryStudies(db, project, null));
    const subjectLevels = querySubjectLevels(db, project, null);
    return { selected: subjects.flatMap((s) => s.studies), unknown: [], subjects, subjectLevels };
  }
  const chosen = isStudyList(items)
    ? items
    : 'selector' in items
      ? selectStudies(db, project, parseSelector(items.selector)).studies
      : runFilter(db, project, parseFilter(items.filter));
  const subjectIds = [...new Set(chosen.map((s) => s.subjectId))];
  const subjects = groupBySubject(queryStudies(db, project, subjectIds));
  const present = new Map(subjects.flatMap((s) => s.studies).map((s) => [s.studyId, s]));
  const selected: StudyRef[] = [];
  const unknown: StudyRef[] = [];
  const seen = new Set<number>();
  for (const study of chosen) {
    if (seen.has(study.studyId)) continue;
    seen.add(study.studyId);
    const fresh = present.get(study.studyId);
    if (fresh === undefined) unknown.push(study);
    else selected.push(fresh);
  }
  return { selected, unknown, subjects, subjectLevels: querySubjectLevels(db, project, subjectIds) };
}

/**
 * Tags of the given studies, one statement. Only loaded when a batch uses a `tagged` reference.
 */
export function loadStudyTags(db: Db, studyIds: readonly number[]): Map<number, Set<string>> {
  const tags = new Map<number, Set<string>>();
  if (studyIds.length === 0) return tags;
  const rows = db
    .prepare(
      'SELECT study_id, tag FROM study_tags WHERE study_id IN (SELECT value FROM json_each(?)) ORDER BY study_id',
    )
    .all(JSON.stringify(studyIds)) as Array<{ study_id: number; tag: string }>;
  for (const row of rows) {
    let set = tags.get(row.study_id);
    if (set === undefined) tags.set(row.study_id, (set = new Set()));
    set.add(row.tag);
  }
  return tags;
}

// A plain Array.isArray does not narrow a readonly array type.
function isStudyList(items: Exclude<BatchItems, 'all'>): items is readonly StudyRef[] {
  return Array.isArray(items);
}

/** Present studies of the given subjects (null: of every subject), by pid and then oldest first. */
function queryStudies(db: Db, project: Project, subjectIds: readonly number[] | null): StudyRef[] {
  if (subjectIds !== null && subjectIds.length === 0) return [];
  const restrict =
    subjectIds === null
      ? sql``
      : sql` AND s.subject_id IN (SELECT value FROM json_each(${JSON.stringify(subjectIds)}))`;
  // The same order as selectors: sid breaks ties between ids with equal sort keys (`ses-1`, `ses-01`).
  const query = sql`SELECT s.id AS study_id, s.subject_id, sub.pid, s.sid, s.folder
    FROM ${presentStudiesFrom(project.id)}${restrict} ORDER BY sub.pid, s.sort_key, s.sid`;
  // Raw rows, and the root checked once: a batch over 100,000 subjects reads 200,000 studies here.
  const rows = db
    .prepare(query.text)
    .raw(true)
    .all(...query.params) as Array<[number, number, string, string, string]>;
  const root = project.root;
  const rootSlash = root.endsWith('/') ? root : `${root}/`;
  const rootIsPlain = plainRoot(root);
  return rows.map(([studyId, subjectId, pid, sid, folder]) => ({
    studyId,
    subjectId,
    pid,
    sid,
    ref: `${pid}#${sid}`,
    folder: rootIsPlain && isPlainFolder(folder) ? `${rootSlash}${folder}` : underRoot(root, folder),
  }));
}

/** The subject-level containers of the given subjects (null: of every subject), by subject id. */
function querySubjectLevels(
  db: Db,
  project: Project,
  subjectIds: readonly number[] | null,
): Map<number, StudyRef> {
  // Only BIDS subjects have them: other projects spend no statement on it.
  if (project.layout !== 'bids' || (subjectIds !== null && subjectIds.length === 0)) return new Map();
  const restrict =
    subjectIds === null
      ? sql``
      : sql` AND s.subject_id IN (SELECT value FROM json_each(${JSON.stringify(subjectIds)}))`;
  const query = sql`SELECT s.id AS study_id, s.subject_id, sub.pid, s.sid, s.folder
    FROM ${presentStudiesFrom(project.id, { subjectLevel: true })} AND s.subject_level = 1${restrict}`;
  const rows = db.prepare(query.text).all(...query.params) as StudyRow[];
  return new Map(rows.map((row) => [row.subject_id, toStudyRef(row, project.root)]));
}
