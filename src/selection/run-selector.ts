import { entitySql } from './file-conditions.js';
import { SUBJECT_LEVEL_SID } from '../catalog/layout/subject-level.js';
import { studyFileRel } from '../catalog/layout/derivatives.js';
import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { matchDistinctPaths, type DistinctPathMatch } from './distinct-paths.js';
import { fileOrder } from './file-order.js';
import { likeSql } from './like-pattern.js';
import { resolveFilePath } from './resolve-file-path.js';
import type { SelectedFile, SelectedStudy, Selection, StudyRef } from './selection.js';
import {
  DEFAULT_FILE_SORT,
  type FileTerms,
  type Selector,
  type StudyTerm,
  type TagCondition,
} from './selector.js';
import { joinSql, sql, type SqlFragment } from './sql-fragment.js';
import {
  fromRoot,
  isPlainFolder,
  orderedStudiesFrom,
  plainRoot,
  toStudyRef,
  underRoot,
  type StudyRow,
} from './study-row.js';

export interface SelectFilesOptions {
  /**
   * Keep candidate studies in which no file matched, with an empty file list, so a batch can report
   * "no input in P003#20200101" instead of silently skipping the study. Default false.
   */
  readonly includeEmptyStudies?: boolean;
  /**
   * Match file patterns against the catalog's distinct paths first where that applies (default true,
   * see {@link matchDistinctPaths}); false always tests every file, as tests comparing the two do.
   */
  readonly distinctPaths?: boolean;
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
 * file. One SQL statement in one read transaction (plus one small lookup per absolute path): see
 * {@link eachSelectedStudy}, whose studies this collects.
 *
 * @throws CohortError PATH_OUTSIDE_ROOT or NOT_FOUND for an absolute path that is no study file.
 */
export function selectFiles(
  db: Db,
  project: Project,
  selector: Selector,
  options: SelectFilesOptions = {},
): Selection {
  return db.transaction((): Selection => ({
    studies: [...eachSelectedStudy(db, project, selector, options)],
  }))();
}

/**
 * {@link selectFiles} one study at a time, for a caller that prints (`cohort select`) and so never
 * needs 200,000 studies in memory at once. The candidate studies joined to their matching files are
 * read row by row, already in the final order (subject id, chronological, then the file sort);
 * `NTH(k)` keeps the k-th file of each study's list here, not in SQL. better-sqlite3 runs no other
 * statement on the connection until the iteration ends.
 *
 * @throws CohortError PATH_OUTSIDE_ROOT or NOT_FOUND for an absolute path that is no study file.
 */
export function* eachSelectedStudy(
  db: Db,
  project: Project,
  selector: Selector,
  options: SelectFilesOptions = {},
): Generator<SelectedStudy> {
  // One snapshot for the match against the distinct paths and the statement using its ids: a path an
  // index commits in between must not be missing while the other files of its commit are there.
  if (db.inTransaction) {
    yield* readSelectedStudies(db, project, selector, options);
    return;
  }
  db.exec('BEGIN');
  try {
    yield* readSelectedStudies(db, project, selector, options);
  } finally {
    db.exec('COMMIT');
  }
}

/** {@link eachSelectedStudy}'s work, inside a read transaction. */
function* readSelectedStudies(
  db: Db,
  project: Project,
  selector: Selector,
  options: SelectFilesOptions,
): Generator<SelectedStudy> {
  const terms: FileTerms = selector.files ?? {
    patterns: [],
    paths: [],
    tags: [],
    sort: DEFAULT_FILE_SORT,
    nth: null,
  };
  const keepEmpty = options.includeEmptyStudies === true;
  const fileIds = terms.paths.map((path) => resolveFilePath(db, project, path));
  const byPath = options.distinctPaths === false ? null : matchDistinctPaths(db, terms);
  const query = studyFilesQuery(project.id, selector, terms, fileIds, keepEmpty, byPath);
  const root = project.root;
  const rootIsPlain = plainRoot(root);
  const rootSlash = root.endsWith('/') ? root : `${root}/`;
  const finished = (s: StudyBeingRead): StudyBeingRead | undefined => {
    byPath?.sortStudyFiles(s.files);
    if (terms.nth !== null) s.files = nth(s.files, terms.nth);
    return keepEmpty || s.files.length > 0 ? s : undefined;
  };
  let study: StudyBeingRead | undefined;
  // The study folder relative to the root, once per study (per file, path.relative cost more than
  // the query over 200,000 studies). Raw rows: no row object per file.
  let rel = '';
  for (const row of db
    .prepare(query.text)
    .raw()
    .iterate(...query.params) as IterableIterator<StudyFileRow>) {
    const [studyId, subjectId, pid, sid, folder, fileId, pathOrId, size, mtimeMs] = row;
    if (study?.studyId !== studyId) {
      const done = study === undefined ? undefined : finished(study);
      if (done !== undefined) yield done;
      // underRoot and fromRoot, with one test per study where root and folder are plain.
      const plain = rootIsPlain && isPlainFolder(folder);
      const absolute = plain ? `${rootSlash}${folder}` : underRoot(root, folder);
      study = { studyId, subjectId, pid, sid, ref: `${pid}#${sid}`, folder: absolute, files: [] };
      rel = plain ? folder : fromRoot(root, absolute);
    }
    // A study kept without a matching file (LEFT JOIN) has one row of NULL file columns.
    if (fileId === null) continue;
    // The distinct-path form reads the path's id from the index, not the file's row: its text is known.
    const path = typeof pathOrId === 'number' ? (byPath?.paths.get(pathOrId) ?? '') : pathOrId;
    study.files.push({
      fileId,
      path,
      absolutePath: `${root}/${studyFileRel(project.layout, rel, path)}`,
      size,
      mtimeMs,
    });
  }
  const last = study === undefined ? undefined : finished(study);
  if (last !== undefined) yield last;
}

/** A study of the result while its files are read. */
interface StudyBeingRead extends StudyRef {
  files: SelectedFile[];
}

/** Study columns, then file columns (NULL for a study kept without files), as {@link studyFilesQuery} reads them. */
type StudyFileRow =
  | [number, number, string, string, string, number, string | number, number, number]
  | [number, number, string, string, string, null, null, null, null];

/** `NTH(k)`: the k-th file (1-based), or for k < 0 the |k|-th from the end; none when out of range. */
function nth(files: SelectedFile[], k: number): SelectedFile[] {
  const file = files[k > 0 ? k - 1 : files.length + k];
  return file === undefined ? [] : [file];
}

function studyRows(db: Db, project: Project, selector: Selector): StudyRow[] {
  const query = sql`${candidateStudies(project.id, selector)} ORDER BY r.pid, r.sort_key, r.sid`;
  return db.prepare(query.text).all(...query.params) as StudyRow[];
}

function queryStudies(db: Db, project: Project, selector: Selector): StudyRef[] {
  return studyRows(db, project, selector).map((row) => toStudyRef(row, project.root));
}

/**
 * The candidate studies joined to their matching files, ordered by study (subject id, chronological)
 * then file order. Without `keepEmpty` an inner join (studies without a match drop out); with it a
 * LEFT JOIN, the file conditions in its ON clause. Tag conditions are uncorrelated IN (...) lists:
 * SQLite reads the tag index once instead of probing it per file, which is what keeps `tag:T` over
 * 250,000 files fast. With `byPath` (the patterns already matched against the distinct paths) each
 * study's files are probes by `(study_id, path_id)`, in path id order, with the path's id for its
 * text: the caller sorts each study's few files and names their paths.
 */
function studyFilesQuery(
  projectId: number,
  selector: Selector,
  terms: FileTerms,
  fileIds: readonly number[],
  keepEmpty: boolean,
  byPath: DistinctPathMatch | null,
): SqlFragment {
  if (byPath !== null) {
    const on = joinSql(
      [
        sql`f.study_id = r.study_id`,
        pathIdIn(byPath.ids),
        sql`f.present = 1`,
        ...(terms.entities ?? []).map(entitySql),
      ],
      ' AND ',
      sql`1`,
    );
    // Every file column from files_study_path_id (f.id is its rowid): no read of the file's row, unless
    // an entity term needs one.
    return sql`SELECT r.study_id, r.subject_id, r.pid, r.sid, r.folder, f.id, f.path_id, f.size, f.mtime_ms
      FROM (${candidateStudies(projectId, selector)}) r ${keepEmpty ? sql`LEFT JOIN` : sql`CROSS JOIN`} files f ON ${on}
      ORDER BY r.pid, r.sort_key, r.sid`;
  }
  const anyOf = [
    ...terms.patterns.map((like) => likeSql(sql`f.path`, like)),
    ...(fileIds.length > 0 ? [sql`f.id IN (SELECT value FROM json_each(${JSON.stringify(fileIds)}))`] : []),
  ];
  const tags = terms.tags.map(
    (t) =>
      sql`f.id ${t.negated ? sql`NOT IN` : sql`IN`} (SELECT file_id FROM file_tags WHERE tag = ${t.tag})`,
  );
  const on = joinSql(
    [
      sql`f.study_id = r.study_id`,
      sql`f.present = 1`,
      joinSql(anyOf, ' OR ', sql`1`),
      ...tags,
      ...(terms.entities ?? []).map(entitySql),
    ],
    ' AND ',
    sql`1`,
  );
  return sql`SELECT r.study_id, r.subject_id, r.pid, r.sid, r.folder, f.id, f.path, f.size, f.mtime_ms
    FROM (${candidateStudies(projectId, selector)}) r ${keepEmpty ? sql`LEFT JOIN` : sql`CROSS JOIN`} files f ON ${on}
    ORDER BY r.pid, r.sort_key, r.sid, ${fileOrder(terms.sort)}`;
}

/** `f.path_id IN (…)` with one bound id each (at most MAX_MATCHED_PATHS); none matched: false. */
function pathIdIn(ids: readonly number[]): SqlFragment {
  if (ids.length === 0) return sql`0`;
  return { text: `f.path_id IN (${ids.map(() => '?').join(', ')})`, params: ids };
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
          FROM ${orderedStudiesFrom(projectId, { subjectLevel: true })} AND (${subjects})) r
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
