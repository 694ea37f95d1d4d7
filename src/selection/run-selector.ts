import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { likeSql } from './like-pattern.js';
import { resolveFilePath } from './resolve-file-path.js';
import type { SelectedFile, SelectedStudy, Selection, StudyRef } from './selection.js';
import {
  DEFAULT_FILE_SORT,
  type FileSort,
  type FileSortKey,
  type FileTerms,
  type Selector,
  type StudyTerm,
  type TagCondition,
} from './selector.js';
import { joinSql, sql, type SqlFragment } from './sql-fragment.js';
import { presentStudiesFrom, toStudyRef, type StudyRow } from './study-row.js';

export interface SelectFilesOptions {
  /**
   * Keep candidate studies in which no file matched, with an empty file list, so a batch can report
   * "no input in P003#20200101" instead of silently skipping the study. Default false.
   */
  readonly includeEmptyStudies?: boolean;
}

/**
 * Runs a selector: {@link selectFiles} when it has file terms, otherwise {@link selectStudies}.
 *
 * Example: `runSelector(db, project, parseSelector('P0* #LATEST file:t1_*\/*.nii'))`.
 */
export function runSelector(
  db: Db,
  project: Project,
  selector: Selector,
  options: SelectFilesOptions = {},
): Selection {
  return selector.files === null ? selectStudies(db, project, selector) : selectFiles(db, project, selector, options);
}

/**
 * The studies a selector picks, ignoring its file terms; every study has an empty file list.
 * One SQL statement.
 */
export function selectStudies(db: Db, project: Project, selector: Selector): Selection {
  const query = sql`${candidateStudies(project.id, selector)} ORDER BY r.pid, r.sort_key, r.sid`;
  const rows = db.prepare(query.text).all(...query.params) as StudyRow[];
  return { studies: rows.map((row) => ({ ...toStudyRef(row, project.root), files: [] })) };
}

/**
 * The files a selector picks, grouped by study. A selector without file terms picks every present
 * file. One SQL statement for all studies (plus one small lookup per absolute path).
 *
 * @throws CohortError PATH_OUTSIDE_ROOT or NOT_FOUND for an absolute path that is no study file.
 */
export function selectFiles(
  db: Db,
  project: Project,
  selector: Selector,
  options: SelectFilesOptions = {},
): Selection {
  const files: FileTerms = selector.files ?? { patterns: [], paths: [], tags: [], sort: DEFAULT_FILE_SORT, nth: null };
  const fileIds = files.paths.map((path) => resolveFilePath(db, project, path));
  const anyOf = [
    ...files.patterns.map((like) => likeSql(sql`f.path`, like)),
    ...(fileIds.length > 0 ? [sql`f.id IN (SELECT value FROM json_each(${JSON.stringify(fileIds)}))`] : []),
  ];
  const where = joinSql(
    [sql`f.present = 1`, joinSql(anyOf, ' OR ', sql`1`), ...files.tags.map(fileTagSql)],
    ' AND ',
    sql`1`,
  );
  // The window functions are needed only for nth:, and cost a sort of every matched file.
  const numbered =
    files.nth === null
      ? sql``
      : sql`, ROW_NUMBER() OVER (PARTITION BY f.study_id ORDER BY ${fileOrder('f', files.sort)}) AS rn,
               COUNT(*) OVER (PARTITION BY f.study_id) AS n`;
  const nthCondition =
    files.nth === null ? sql`` : files.nth > 0 ? sql`AND m.rn = ${files.nth}` : sql`AND m.rn = m.n + ${files.nth + 1}`;
  const join = options.includeEmptyStudies === true ? sql`LEFT JOIN` : sql`JOIN`;
  const query = sql`
    WITH cand AS MATERIALIZED (${candidateStudies(project.id, selector)}),
    matched AS (
      SELECT f.study_id, f.id AS file_id, f.path, f.size, f.mtime_ms ${numbered}
      FROM cand c JOIN files f ON f.study_id = c.study_id
      WHERE ${where}
    )
    SELECT c.study_id, c.subject_id, c.pid, c.sid, c.folder, m.file_id, m.path, m.size, m.mtime_ms
    FROM cand c ${join} matched m ON m.study_id = c.study_id ${nthCondition}
    ORDER BY c.pid, c.sort_key, c.sid, ${fileOrder('m', files.sort)}`;
  const rows = db.prepare(query.text).all(...query.params) as FileRow[];
  return { studies: groupFiles(rows, project.root) };
}

interface FileRow extends StudyRow {
  readonly file_id: number | null;
  readonly path: string | null;
  readonly size: number | null;
  readonly mtime_ms: number | null;
}

/** Rows arrive ordered by study, so one pass suffices. */
function groupFiles(rows: readonly FileRow[], root: string): SelectedStudy[] {
  const studies: SelectedStudy[] = [];
  let current: (StudyRef & { readonly files: SelectedFile[] }) | undefined;
  for (const row of rows) {
    if (current === undefined || current.studyId !== row.study_id) {
      current = { ...toStudyRef(row, root), files: [] };
      studies.push(current);
    }
    if (row.file_id === null || row.path === null) continue;
    current.files.push({
      fileId: row.file_id,
      path: row.path,
      absolutePath: `${current.folder}/${row.path}`,
      size: row.size ?? 0,
      mtimeMs: row.mtime_ms ?? 0,
    });
  }
  return studies;
}

// Fixed SQL per key; the alias comes from this module, never from input.
const SORT_EXPRESSIONS: Readonly<Record<FileSortKey, (alias: string) => string>> = {
  path: (a) => `${a}.path`,
  // SQLite has no basename(): rtrim() strips the trailing run of non-slash characters, leaving the
  // folder part, whose length is where the name starts.
  name: (a) => `substr(${a}.path, length(rtrim(${a}.path, replace(${a}.path, '/', ''))) + 1)`,
  size: (a) => `${a}.size`,
  mtime: (a) => `${a}.mtime_ms`,
};

/** ORDER BY terms for files; ties are broken by path, which is unique within a study. */
function fileOrder(alias: 'f' | 'm', sort: FileSort): SqlFragment {
  const main = `${SORT_EXPRESSIONS[sort.key](alias)}${sort.descending ? ' DESC' : ''}`;
  return { text: sort.key === 'path' ? main : `${main}, ${alias}.path`, params: [] };
}

/**
 * The candidate studies as a SELECT over `r` (present studies with their rank from either end).
 * Columns: study_id, subject_id, pid, sid, folder, sort_key.
 */
function candidateStudies(projectId: number, selector: Selector): SqlFragment {
  const ranked = selector.studies.some((t) => t.pick.kind === 'latest' || t.pick.kind === 'oldest');
  // sid breaks ties between ids with the same sort key (`ses-1` and `ses-01`).
  const ranks = ranked
    ? sql`, ROW_NUMBER() OVER (PARTITION BY s.subject_id ORDER BY s.sort_key DESC, s.sid DESC) AS latest_rank,
            ROW_NUMBER() OVER (PARTITION BY s.subject_id ORDER BY s.sort_key, s.sid) AS oldest_rank`
    : sql``;
  const union = joinSql(selector.studies.map(studyTermSql), ' OR ', sql`1`);
  const filters = joinSql(selector.studyFilters.map(studyTagSql), ' AND ', sql`1`);
  return sql`SELECT r.study_id, r.subject_id, r.pid, r.sid, r.folder, r.sort_key
    FROM (SELECT s.id AS study_id, s.subject_id, sub.pid, s.sid, s.folder, s.sort_key ${ranks}
          FROM ${presentStudiesFrom(projectId)}) r
    WHERE (${union}) AND (${filters})`;
}

function studyTermSql(term: StudyTerm): SqlFragment {
  const subject = likeSql(sql`r.pid`, term.subjectLike);
  switch (term.pick.kind) {
    case 'all':
      return subject;
    case 'pattern':
      return sql`${subject} AND ${likeSql(sql`r.sid`, term.pick.like)}`;
    case 'latest':
      return sql`${subject} AND r.latest_rank = ${term.pick.offset + 1}`;
    case 'oldest':
      return sql`${subject} AND r.oldest_rank = ${term.pick.offset + 1}`;
  }
}

// Tag lookups go through the (item, tag) primary keys: one index probe per candidate.
function studyTagSql(condition: TagCondition): SqlFragment {
  const exists =
    condition.level === 'subject'
      ? sql`EXISTS (SELECT 1 FROM subject_tags t WHERE t.subject_id = r.subject_id AND t.tag = ${condition.tag})`
      : sql`EXISTS (SELECT 1 FROM study_tags t WHERE t.study_id = r.study_id AND t.tag = ${condition.tag})`;
  return condition.negated ? sql`NOT ${exists}` : exists;
}

function fileTagSql(condition: TagCondition): SqlFragment {
  const exists = sql`EXISTS (SELECT 1 FROM file_tags t WHERE t.file_id = f.id AND t.tag = ${condition.tag})`;
  return condition.negated ? sql`NOT ${exists}` : exists;
}
