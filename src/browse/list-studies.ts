import type { Project } from '../catalog/project-store.js';
import { tagsOf } from '../catalog/tags.js';
import type { Db } from '../db/open-database.js';
import type { Filter } from '../selection/filter.js';
import { filePathIds } from '../selection/distinct-paths.js';
import { parseFilter } from '../selection/parse-filter.js';
import { filterCondition } from '../selection/run-filter.js';
import { sql } from '../selection/sql-fragment.js';
import { orderedStudiesFrom, presentStudiesFrom } from '../selection/study-row.js';
import type { Page, PageRequest, StudyRow } from './browse-types.js';
import { pageTotal } from './cached-count.js';
import { jobIndicators } from './job-indicators.js';

/**
 * One page of the studies table: studies matching the filter-bar text, by subject id then
 * chronologically, with file counts, tags, job indicators and the total count (unless `page.count` is
 * false). The page walks studies in that order by index and stops after its rows, testing the filter
 * per study; the total is one count, remembered until the database changes ({@link cachedCount}).
 *
 * @throws SyntaxErrorAt for bad filter text.
 */
export function listStudies(db: Db, project: Project, filterText: string, page: PageRequest): Page<StudyRow> {
  const filter = parseFilter(filterText);
  const pathIds = filePathIds(db);
  const query = sql`SELECT s.id AS studyId, s.subject_id AS subjectId, sub.pid, s.sid, s.description
    FROM ${orderedStudiesFrom(project.id)} AND (${filterCondition(filter, { perStudy: true, pathIds })})
    ORDER BY sub.pid, s.sort_key, s.sid LIMIT ${page.limit} OFFSET ${page.offset}`;
  const rows = db.prepare(query.text).all(...query.params) as Array<
    Omit<StudyRow, 'ref' | 'files' | 'tags' | 'jobs'>
  >;
  const total =
    page.count === false ? null : countStudiesMatching(db, project, filter, page, rows.length, pathIds);
  const ids = rows.map((r) => r.studyId);
  const counts = new Map(
    (
      db
        .prepare(
          `SELECT study_id AS id, count(*) AS n FROM files
           WHERE present = 1 AND study_id IN (SELECT value FROM json_each(?)) GROUP BY study_id`,
        )
        .all(JSON.stringify(ids)) as Array<{ id: number; n: number }>
    ).map((r) => [r.id, r.n]),
  );
  const tags = tagsOf(db, 'study', ids);
  const jobs = jobIndicators(db, 'study', ids);
  return {
    total,
    offset: page.offset,
    limit: page.limit,
    items: rows.map((r) => ({
      ...r,
      ref: `${r.pid}#${r.sid}`,
      files: counts.get(r.studyId) ?? 0,
      tags: tags.get(r.studyId) ?? [],
      jobs: jobs(r.studyId),
    })),
  };
}

/** The studies matching the filter: the page's own total or one count ({@link pageTotal}). */
function countStudiesMatching(
  db: Db,
  project: Project,
  filter: Filter,
  page: PageRequest,
  rows: number,
  pathIds = filePathIds(db),
): number {
  const count = sql`SELECT count(*) FROM ${presentStudiesFrom(project.id)} AND (${filterCondition(filter, { pathIds })})`;
  return pageTotal(db, page, rows, count);
}

/** The studies table's total alone (`GET .../studies/count`), as {@link listStudies} counts it. */
export function countStudies(db: Db, project: Project, filterText: string): number {
  return countStudiesMatching(db, project, parseFilter(filterText), { limit: 0, offset: 0 }, 0);
}
