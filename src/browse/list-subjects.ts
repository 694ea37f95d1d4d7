import type { Project } from '../catalog/project-store.js';
import { tagsOf } from '../catalog/tags.js';
import type { Db } from '../db/open-database.js';
import { parseFilter } from '../selection/parse-filter.js';
import { filterCondition } from '../selection/run-filter.js';
import { sql, type SqlFragment } from '../selection/sql-fragment.js';
import { presentStudiesFrom } from '../selection/study-row.js';
import type { Page, PageRequest, SubjectRow } from './browse-types.js';
import { jobIndicators } from './job-indicators.js';

/**
 * One page of the subjects table: subjects with a study matching the filter-bar text, by subject id,
 * with their matching studies, tags and job indicators, and the total count. Three or four statements
 * whatever the project's size: the page and the total in one (a window count), the page's studies,
 * tags and tasks.
 *
 * @throws SyntaxErrorAt for bad filter text.
 */
export function listSubjects(
  db: Db,
  project: Project,
  filterText: string,
  page: PageRequest,
): Page<SubjectRow> {
  const condition = filterCondition(parseFilter(filterText));
  // Subjects with a matching study: an EXISTS per subject (a handful of studies each, by index) instead
  // of grouping every matching study of the project.
  const query = sql`SELECT sub.id AS subjectId, sub.pid, count(*) OVER () AS total
    FROM subjects sub WHERE sub.project_id = ${project.id} AND sub.present = 1 AND ${hasStudy(project, condition)}
    ORDER BY sub.pid LIMIT ${page.limit} OFFSET ${page.offset}`;
  const rows = db.prepare(query.text).all(...query.params) as Array<{
    subjectId: number;
    pid: string;
    total: number;
  }>;
  const total = rows[0]?.total ?? countSubjects(db, project, condition, page);
  const ids = rows.map((r) => r.subjectId);
  const studies = sql`SELECT s.id AS studyId, s.subject_id AS subjectId, s.sid
    FROM ${presentStudiesFrom(project.id)} AND (${condition})
      AND s.subject_id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))
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
    total,
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

// Only needed for a page past the end (or an empty result), where the window count has no row.
function countSubjects(
  db: Db,
  project: Project,
  condition: ReturnType<typeof filterCondition>,
  page: PageRequest,
): number {
  if (page.offset === 0) return 0;
  const query = sql`SELECT count(*) FROM subjects sub
    WHERE sub.project_id = ${project.id} AND sub.present = 1 AND ${hasStudy(project, condition)}`;
  return db
    .prepare(query.text)
    .pluck()
    .get(...query.params) as number;
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
