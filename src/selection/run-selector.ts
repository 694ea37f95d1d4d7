import { entitySql } from './file-conditions.js';
import { SUBJECT_LEVEL_SID } from '../catalog/layout/subject-level.js';
import { studyFileRel } from '../catalog/layout/derivatives.js';
import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { likeSql } from './like-pattern.js';
import { resolveFilePath } from './resolve-file-path.js';
import type { SelectedFile, Selection, StudyRef } from './selection.js';
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
import { fromRoot, presentStudiesFrom, toStudyRef, type StudyRow } from './study-row.js';

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
 * Example: `runSelector(db, project, parseSelector('*#LATEST stag:qc_ok file:t1_mprage/s0*.nii'))`.
 */
export function runSelector(
  db: Db,
  project: Project,
  selector: Selector,
  options: SelectFilesOptions = {},
): Selection {
  return selector.files === null
    ? selectStudies(db, project, selector)
    : selectFiles(db, project, selector, options);
}

/**
 * The studies a selector picks, ignoring its file terms; every study has an empty file list.
 * One SQL statement.
 */
export function selectStudies(db: Db, project: Project, selector: Selector): Selection {
  return { studies: queryStudies(db, project, selector).map((study) => ({ ...study, files: [] })) };
}

/**
 * The files a selector picks, grouped by study. A selector without file terms picks every present
 * file. Two SQL statements in one read transaction, whatever the number of studies: the candidate
 * studies, then the files of all of them (plus one small lookup per absolute path).
 *
 * @throws CohortError PATH_OUTSIDE_ROOT or NOT_FOUND for an absolute path that is no study file.
 */
export function selectFiles(
  db: Db,
  project: Project,
  selector: Selector,
  options: SelectFilesOptions = {},
): Selection {
  const terms: FileTerms = selector.files ?? {
    patterns: [],
    paths: [],
    tags: [],
    sort: DEFAULT_FILE_SORT,
    nth: null,
  };
  return db.transaction((): Selection => {
    const fileIds = terms.paths.map((path) => resolveFilePath(db, project, path));
    const studies = new Map<number, StudyRef & { files: SelectedFile[] }>();
    // Each study's folder relative to the root, once per study: per file (path.relative) it cost more
    // than the query itself over 200,000 studies.
    const rels = new Map<number, string>();
    for (const row of studyRows(db, project, selector)) {
      const study = { ...toStudyRef(row, project.root), files: [] as SelectedFile[] };
      studies.set(row.study_id, study);
      rels.set(row.study_id, fromRoot(project.root, study.folder));
    }
    if (studies.size === 0) return { studies: [] };
    const query = filesQuery(JSON.stringify([...studies.keys()]), terms, fileIds);
    // Rows come grouped by study and in file order within it, so appending keeps the order.
    for (const row of db.prepare(query.text).all(...query.params) as FileRow[]) {
      const study = studies.get(row.study_id);
      if (study === undefined) continue;
      study.files.push({
        fileId: row.id,
        path: row.path,
        absolutePath: `${project.root}/${studyFileRel(project.layout, rels.get(row.study_id) ?? '', row.path)}`,
        size: row.size,
        mtimeMs: row.mtime_ms,
      });
    }
    const all = [...studies.values()];
    return { studies: options.includeEmptyStudies === true ? all : all.filter((s) => s.files.length > 0) };
  })();
}

interface FileRow {
  readonly study_id: number;
  readonly id: number;
  readonly path: string;
  readonly size: number;
  readonly mtime_ms: number;
}

function studyRows(db: Db, project: Project, selector: Selector): StudyRow[] {
  const query = sql`${candidateStudies(project.id, selector)} ORDER BY r.pid, r.sort_key, r.sid`;
  return db.prepare(query.text).all(...query.params) as StudyRow[];
}

function queryStudies(db: Db, project: Project, selector: Selector): StudyRef[] {
  return studyRows(db, project, selector).map((row) => toStudyRef(row, project.root));
}

/**
 * The matching files of the given studies (a JSON array of ids), ordered by study then file order.
 * Tag conditions are uncorrelated IN (...) lists: SQLite reads the tag index once instead of probing
 * it per file, which is what keeps `tag:T` over 250,000 files fast.
 */
function filesQuery(studyIdsJson: string, terms: FileTerms, fileIds: readonly number[]): SqlFragment {
  const anyOf = [
    ...terms.patterns.map((like) => likeSql(sql`f.path`, like)),
    ...(fileIds.length > 0 ? [sql`f.id IN (SELECT value FROM json_each(${JSON.stringify(fileIds)}))`] : []),
  ];
  const tags = terms.tags.map(
    (t) =>
      sql`f.id ${t.negated ? sql`NOT IN` : sql`IN`} (SELECT file_id FROM file_tags WHERE tag = ${t.tag})`,
  );
  const where = joinSql(
    [
      sql`f.study_id IN (SELECT value FROM json_each(${studyIdsJson}))`,
      sql`f.present = 1`,
      joinSql(anyOf, ' OR ', sql`1`),
      ...tags,
      ...(terms.entities ?? []).map(entitySql),
    ],
    ' AND ',
    sql`1`,
  );
  const order = fileOrder(terms.sort);
  if (terms.nth === null) {
    return sql`SELECT f.study_id, f.id, f.path, f.size, f.mtime_ms FROM files f WHERE ${where}
      ORDER BY f.study_id, ${order}`;
  }
  const position = terms.nth > 0 ? sql`rn = ${terms.nth}` : sql`rn = n + ${terms.nth + 1}`;
  return sql`SELECT study_id, id, path, size, mtime_ms FROM (
      SELECT f.study_id, f.id, f.path, f.size, f.mtime_ms,
        ROW_NUMBER() OVER (PARTITION BY f.study_id ORDER BY ${order}) AS rn,
        COUNT(*) OVER (PARTITION BY f.study_id) AS n
      FROM files f WHERE ${where})
    WHERE ${position}`;
}

// Fixed SQL per key, over the `files f` alias.
const SORT_EXPRESSIONS: Readonly<Record<FileSortKey, string>> = {
  path: 'f.path',
  // SQLite has no basename(): rtrim() strips the trailing run of non-slash characters, leaving the
  // folder part, whose length is where the name starts.
  name: "substr(f.path, length(rtrim(f.path, replace(f.path, '/', ''))) + 1)",
  size: 'f.size',
  mtime: 'f.mtime_ms',
};

/** ORDER BY terms for files; ties are broken by path, which is unique within a study. */
function fileOrder(sort: FileSort): SqlFragment {
  const main = `${SORT_EXPRESSIONS[sort.key]}${sort.descending ? ' DESC' : ''}`;
  return { text: sort.key === 'path' ? main : `${main}, f.path`, params: [] };
}

/**
 * The candidate studies as a SELECT over `r` (present studies with their rank from either end).
 * Columns: study_id, subject_id, pid, sid, folder, sort_key.
 */
function candidateStudies(projectId: number, selector: Selector): SqlFragment {
  const ranked = selector.studies.some((t) => t.pick.kind === 'latest' || t.pick.kind === 'oldest');
  // sid breaks ties between ids with the same sort key (`ses-1` and `ses-01`).
  const ranks = ranked
    ? sql`, ROW_NUMBER() OVER (PARTITION BY s.subject_id, s.subject_level ORDER BY s.sort_key DESC, s.sid DESC) AS latest_rank,
            ROW_NUMBER() OVER (PARTITION BY s.subject_id, s.subject_level ORDER BY s.sort_key, s.sid) AS oldest_rank`
    : sql``;
  const union = joinSql(selector.studies.map(studyTermSql), ' OR ', sql`1`);
  const filters = joinSql(selector.studyFilters.map(studyTagSql), ' AND ', sql`1`);
  // The subject patterns also inside: ranks are per subject, so leaving other subjects out first changes
  // no rank, and SQLite does not push a filter on pid into a windowed subquery (S01*#LATEST ranked
  // all 200,000 studies to keep 1,000).
  const subjects = ranked
    ? joinSql(
        selector.studies.map((t) => likeSql(sql`sub.pid`, t.subjectLike)),
        ' OR ',
        sql`1`,
      )
    : sql`1`;
  return sql`SELECT r.study_id, r.subject_id, r.pid, r.sid, r.folder, r.sort_key
    FROM (SELECT s.id AS study_id, s.subject_id, sub.pid, s.sid, s.folder, s.sort_key, s.subject_level ${ranks}
          FROM ${presentStudiesFrom(projectId, { subjectLevel: true })} AND (${subjects})) r
    WHERE (${union}) AND (${filters})`;
}

function studyTermSql(term: StudyTerm): SqlFragment {
  // The subject-level container is picked only by its own name (`01#subject-level`), never by `*`,
  // a pattern or OLDEST/LATEST.
  const subject = sql`${likeSql(sql`r.pid`, term.subjectLike)} AND r.subject_level = 0`;
  switch (term.pick.kind) {
    case 'all':
      return subject;
    case 'pattern':
      if (term.pick.like === SUBJECT_LEVEL_SID) {
        return sql`${likeSql(sql`r.pid`, term.subjectLike)} AND r.sid = ${SUBJECT_LEVEL_SID}`;
      }
      return sql`${subject} AND ${likeSql(sql`r.sid`, term.pick.like)}`;
    case 'latest':
      return sql`${subject} AND r.latest_rank = ${term.pick.offset + 1}`;
    case 'oldest':
      return sql`${subject} AND r.oldest_rank = ${term.pick.offset + 1}`;
  }
}

// Uncorrelated IN lists read the tag index once; the ids are never NULL, so NOT IN is safe.
function studyTagSql(condition: TagCondition): SqlFragment {
  const operator = condition.negated ? sql`NOT IN` : sql`IN`;
  return condition.level === 'subject'
    ? sql`r.subject_id ${operator} (SELECT subject_id FROM subject_tags WHERE tag = ${condition.tag})`
    : sql`r.study_id ${operator} (SELECT study_id FROM study_tags WHERE tag = ${condition.tag})`;
}
