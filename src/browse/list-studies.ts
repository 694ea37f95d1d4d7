import type { Project } from '../catalog/project-store.js';
import { tagsOf } from '../catalog/tags.js';
import type { Db } from '../db/open-database.js';
import { parseFilter } from '../selection/parse-filter.js';
import { filterCondition } from '../selection/run-filter.js';
import { sql, type SqlFragment } from '../selection/sql-fragment.js';
import { presentStudiesFrom } from '../selection/study-row.js';
import type { Page, PageRequest, StudyRow } from './browse-types.js';
import { jobIndicators } from './job-indicators.js';

/**
 * One page of the studies table: studies matching the filter-bar text, by subject id then
 * chronologically, with file counts, tags, job indicators and the total count.
 *
 * @throws SyntaxErrorAt for bad filter text.
 */
export function listStudies(db: Db, project: Project, filterText: string, page: PageRequest): Page<StudyRow> {
  const condition = filterCondition(parseFilter(filterText));
  const query = sql`SELECT s.id AS studyId, s.subject_id AS subjectId, sub.pid, s.sid, s.description,
      count(*) OVER () AS total
    FROM ${presentStudiesFrom(project.id)} AND (${condition})
    ORDER BY sub.pid, s.sort_key, s.sid LIMIT ${page.limit} OFFSET ${page.offset}`;
  const rows = db.prepare(query.text).all(...query.params) as Array<
    Omit<StudyRow, 'ref' | 'files' | 'tags' | 'jobs'> & { total: number }
  >;
  const total = rows[0]?.total ?? countStudies(db, project, condition, page);
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
    items: rows.map(({ total: _total, ...r }) => ({
      ...r,
      ref: `${r.pid}#${r.sid}`,
      files: counts.get(r.studyId) ?? 0,
      tags: tags.get(r.studyId) ?? [],
      jobs: jobs(r.studyId),
    })),
  };
}

function countStudies(db: Db, project: Project, condition: SqlFragment, page: PageRequest): number {
  if (page.offset === 0) return 0;
  const query = sql`SELECT count(*) FROM ${presentStudiesFrom(project.id)} AND (${condition})`;
  return db
    .prepare(query.text)
    .pluck()
    .get(...query.params) as number;
}
