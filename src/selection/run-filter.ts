import { entitySql } from './file-conditions.js';
import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { JOB_FILTER_LETTERS } from '../runs/task-states.js';
import type { Filter, FilterTerm, JobFilterLetter } from './filter.js';
import { likeSql } from './like-pattern.js';
import type { StudyRef } from './selection.js';
import { joinSql, sql, type SqlFragment } from './sql-fragment.js';
import { presentStudiesFrom, toStudyRef, type StudyRow } from './study-row.js';

/**
 * The studies matching a filter-bar expression, ordered by subject id then chronologically.
 * One SQL statement; file and file-tag terms are evaluated once for the whole project, not per study.
 *
 */
export function runFilter(db: Db, project: Project, filter: Filter): StudyRef[] {
  const query = sql`SELECT s.id AS study_id, s.subject_id, sub.pid, s.sid, s.folder
    FROM ${presentStudiesFrom(project.id)} AND (${filterCondition(filter)})
    ORDER BY sub.pid, s.sort_key, s.sid`;
  const rows = db.prepare(query.text).all(...query.params) as StudyRow[];
  return rows.map((row) => toStudyRef(row, project.root));
}

/** How {@link filterCondition} tests tag and file terms. */
export interface FilterConditionOptions {
  /**
   * Probe per study (correlated EXISTS on the tag and files indexes) instead of one uncorrelated list
   * for the whole project. For a page that stops after 100 subjects: a list of the studies with a file
   * matching `t1*\/s000*` reads all 2,000,000 files of a biobank before the first row. Counting
   * everything, the lists are cheaper. Default false.
   */
  readonly perStudy?: boolean;
  /**
   * The `file_paths` ids a file term's LIKE pattern matches (`filePathIds` of distinct-paths.ts): each study is then
   * probed by `(study_id, path_id)`. Absent, or null for a pattern, and the paths of files are tested.
   */
  readonly pathIds?: ((like: string) => readonly number[] | null) | undefined;
}

/**
 * The filter as an SQL condition on `s` (studies) and `sub` (subjects) of {@link presentStudiesFrom},
 * for queries that page or count instead of listing every study (the API's tables).
 */
export function filterCondition(filter: Filter, options: FilterConditionOptions = {}): SqlFragment {
  const form = options.perStudy === true ? perStudySql : positiveSql;
  const positive = (term: FilterTerm): SqlFragment => {
    const ids = term.kind === 'file' ? options.pathIds?.(term.like) : undefined;
    return ids === undefined || ids === null ? form(term) : pathIdsSql(ids);
  };
  const groups = filter.groups.map((group) =>
    joinSql(
      group.map((term) => {
        const condition = positive(term);
        return term.negated ? sql`NOT (${condition})` : condition;
      }),
      ' OR ',
      sql`0`,
    ),
  );
  return joinSql(groups, ' AND ', sql`1`);
}

// Tag and file terms are uncorrelated IN (...) subqueries: SQLite evaluates each once into a temporary
// index (one pass over files or tags) instead of probing per study. `study_id IS NOT NULL` keeps
// analysis files out, and NULLs away from a negated IN.
function positiveSql(term: FilterTerm): SqlFragment {
  switch (term.kind) {
    case 'id':
      return sql`${likeSql(sql`sub.pid`, term.like)} OR ${likeSql(sql`s.sid`, term.like)}
        OR ${likeSql(sql`sub.pid || '#' || s.sid`, term.like)}`;
    case 'sdesc':
      return likeSql(sql`s.description`, term.like);
    case 'stag':
      return sql`s.id IN (SELECT study_id FROM study_tags t WHERE ${likeSql(sql`t.tag`, term.like)})`;
    case 'ptag':
      return sql`s.subject_id IN (SELECT subject_id FROM subject_tags t WHERE ${likeSql(sql`t.tag`, term.like)})`;
    case 'file':
      return sql`s.id IN (SELECT f.study_id FROM files f
        WHERE f.study_id IS NOT NULL AND f.present = 1 AND ${likeSql(sql`f.path`, term.like)})`;
    case 'ftag':
      return sql`s.id IN (SELECT f.study_id FROM file_tags t JOIN files f ON f.id = t.file_id
        WHERE f.study_id IS NOT NULL AND f.present = 1 AND ${likeSql(sql`t.tag`, term.like)})`;
    case 'entity':
      return sql`s.id IN (SELECT f.study_id FROM files f
        WHERE f.study_id IS NOT NULL AND f.present = 1 AND ${entitySql(term.entity)})`;
    case 'job':
      return jobStateSql(term.state);
  }
}

// A file term as the study's files with these paths: one probe of files_study_path_id per path id.
function pathIdsSql(ids: readonly number[]): SqlFragment {
  if (ids.length === 0) return sql`0`;
  const list: SqlFragment = { text: ids.map(() => '?').join(', '), params: [...ids] };
  return sql`EXISTS (SELECT 1 FROM files f WHERE f.study_id = s.id AND f.path_id IN (${list}) AND f.present = 1)`;
}

// The same conditions as positiveSql, probed for the one study `s`.
function perStudySql(term: FilterTerm): SqlFragment {
  const file = sql`FROM files f WHERE f.study_id = s.id AND f.present = 1`;
  switch (term.kind) {
    case 'stag':
      return sql`EXISTS (SELECT 1 FROM study_tags t WHERE t.study_id = s.id AND ${likeSql(sql`t.tag`, term.like)})`;
    case 'ptag':
      return sql`EXISTS (SELECT 1 FROM subject_tags t WHERE t.subject_id = s.subject_id AND ${likeSql(sql`t.tag`, term.like)})`;
    case 'file':
      return sql`EXISTS (SELECT 1 ${file} AND ${likeSql(sql`f.path`, term.like)})`;
    case 'ftag':
      return sql`EXISTS (SELECT 1 ${file} AND EXISTS (SELECT 1 FROM file_tags t WHERE t.file_id = f.id
        AND ${likeSql(sql`t.tag`, term.like)}))`;
    case 'entity':
      return sql`EXISTS (SELECT 1 ${file} AND ${entitySql(term.entity)})`;
    default:
      return positiveSql(term);
  }
}

/**
 * The filter's conditions on files (alias `f`), for a files listing: groups made only of file terms
 * (FTAG, paths, entities), none negated, keep only the files meeting them. `FTAG:bad` lists the bad
 * files, not every file of a study having one.
 */
export function fileLevelCondition(filter: Filter): SqlFragment {
  const groups = filter.groups.filter((group) =>
    group.every((t) => !t.negated && (t.kind === 'ftag' || t.kind === 'file' || t.kind === 'entity')),
  );
  return joinSql(
    groups.map((group) =>
      joinSql(
        group.map((term) => {
          switch (term.kind) {
            case 'ftag':
              return sql`f.id IN (SELECT t.file_id FROM file_tags t WHERE ${likeSql(sql`t.tag`, term.like)})`;
            case 'entity':
              return entitySql(term.entity);
            default:
              return 'like' in term ? likeSql(sql`f.path`, term.like) : sql`1`;
          }
        }),
        ' OR ',
        sql`0`,
      ),
    ),
    ' AND ',
    sql`1`,
  );
}

/**
 * `JOB:x`: the study (or, for subject-level jobs, its subject) has a task in one of the letter's states
 * in the latest run that touched it, so a study fixed by a rerun no longer shows as erroneous.
 */
function jobStateSql(letter: JobFilterLetter): SqlFragment {
  const states = JSON.stringify(JOB_FILTER_LETTERS[letter]);
  return sql`(s.id IN (SELECT t.study_id FROM tasks t WHERE t.study_id IS NOT NULL
      AND t.state IN (SELECT value FROM json_each(${states}))
      AND t.run_id = (SELECT max(t2.run_id) FROM tasks t2 WHERE t2.study_id = t.study_id))
    OR s.subject_id IN (SELECT t.subject_id FROM tasks t WHERE t.study_id IS NULL AND t.subject_id IS NOT NULL
      AND t.state IN (SELECT value FROM json_each(${states}))
      AND t.run_id = (SELECT max(t2.run_id) FROM tasks t2 WHERE t2.subject_id = t.subject_id AND t2.study_id IS NULL)))`;
}
