import type { Project } from '../catalog/project-store.js';
import { tagsOf } from '../catalog/tags.js';
import type { Db } from '../db/open-database.js';
import type { Filter } from '../selection/filter.js';
import { filePathIds } from '../selection/distinct-paths.js';
import { parseFilter } from '../selection/parse-filter.js';
import { filterCondition } from '../selection/run-filter.js';
import { sql, type SqlFragment } from '../selection/sql-fragment.js';
import type { Page, PageRequest, SubjectRow } from './browse-types.js';
import { pageTotal } from './cached-count.js';
import { jobIndicators } from './job-indicators.js';

/**
 * One page of the subjects table: subjects with a study matching the filter-bar text, by subject id,
 * with their matching studies, tags and job indicators, and the total count (unless `page.count` is
 * false). With `page.after` the page starts after that subject id (keyset paging). The page walks subjects in id order and stops after its rows, testing the filter per study;
 * the total is one count over the project, remembered until the database changes ({@link cachedCount}).
 *
 * @throws SyntaxErrorAt for bad filter text.
 */
export function listSubjects(
  db: Db,
  project: Project,
  filterText: string,
  page: PageRequest,
): Page<SubjectRow> {
  const filter = parseFilter(filterText);
  const pathIds = filePathIds(db);
  const perStudy = filterCondition(filter, { perStudy: true, pathIds });
  // pid is unique in a project, so "after the cursor" is exact; it is a range of the (project_id, pid) index.
  const from =
    page.after === undefined ? sql`LIMIT ${page.limit} OFFSET ${page.offset}` : sql`LIMIT ${page.limit}`;
  const after = page.after === undefined ? sql`` : sql` AND sub.pid > ${page.after}`;
  const query = sql`SELECT sub.id AS subjectId, sub.pid
    FROM subjects sub WHERE sub.project_id = ${project.id}${after} AND sub.present = 1 AND ${hasStudy(project, perStudy)}
    ORDER BY sub.pid ${from}`;
  const rows = db.prepare(query.text).all(...query.params) as Array<{ subjectId: number; pid: string }>;
  const ids = rows.map((r) => r.subjectId);
  // By the page's subject ids: with `s.project_id = ?` in sight SQLite read every study of the
  // project through studies_project instead (95 ms of a 100-subject page over 200,000 studies).
  const studies = sql`SELECT s.id AS studyId, s.subject_id AS subjectId, s.sid
    FROM studies s JOIN subjects sub ON sub.id = s.subject_id
    WHERE s.subject_id IN (SELECT value FROM json_each(${JSON.stringify(ids)})) AND +s.project_id = ${project.id}
      AND s.present = 1 AND s.subject_level = 0 AND (${perStudy})
    ORDER BY s.sort_key, s.sid`;
  const bySubject = new Map<number, Array<{ studyId: number; sid: string }>>();
  for (const s of db.prepare(studies.text).all(...studies.params) as Array<{
    studyId: number;
    subjectId: number;
    sid: string;
  }>) {
    const list = bySubject.get(s.subjectId) ?? [];
    list.push({ studyId: s.studyId, sid: s.sid });
    bySubject.set(s.subjectId, list);
  }
  const tags = tagsOf(db, 'subject', ids);
  const jobs = jobIndicators(db, 'subject', ids);
  return {
    total:
      page.count === false ? null : countSubjectsMatching(db, project, filter, page, rows.length, pathIds),
    offset: page.offset,
    limit: page.limit,
    items: rows.map((r) => ({
      subjectId: r.subjectId,
      pid: r.pid,
      studies: bySubject.get(r.subjectId) ?? [],
      tags: tags.get(r.subjectId) ?? [],
      jobs: jobs(r.subjectId),
    })),
  };
}

/** The subjects matching the filter: the page's own total or one count ({@link pageTotal}). */
function countSubjectsMatching(
  db: Db,
  project: Project,
  filter: Filter,
  page: PageRequest,
  rows: number,
  pathIds = filePathIds(db),
): number {
  // Uncorrelated lists here (one pass over the files for a file pattern), except for a file pattern
  // matching a few distinct paths: one index probe per study and path then costs less.
  const count = sql`SELECT count(*) FROM subjects sub
    WHERE sub.project_id = ${project.id} AND sub.present = 1 AND ${hasStudy(project, filterCondition(filter, { pathIds }))}`;
  return pageTotal(db, page, rows, count);
}

/**
 * The subject `sub` has a present study `s` matching the condition. `+s.project_id` keeps SQLite on
 * the (subject_id, sid) index: without ANALYZE statistics (a fresh catalog) it otherwise picks
 * studies_project and scans every study of the project per subject (12 s for 10,000 subjects).
 */
function hasStudy(project: Project, condition: SqlFragment): SqlFragment {
  return sql`EXISTS (SELECT 1 FROM studies s WHERE s.subject_id = sub.id AND +s.project_id = ${project.id}
    AND s.present = 1 AND s.subject_level = 0 AND (${condition}))`;
}

/** The subjects table's total alone (`GET .../subjects/count`), as {@link listSubjects} counts it. */
export function countSubjects(db: Db, project: Project, filterText: string): number {
  return countSubjectsMatching(db, project, parseFilter(filterText), { limit: 0, offset: 0 }, 0);
}
