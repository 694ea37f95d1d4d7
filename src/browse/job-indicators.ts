import type { Db } from '../db/open-database.js';
import { JOB_FILTER_LETTERS, type TaskState } from '../runs/task-states.js';
import type { JobIndicators } from './browse-types.js';

const NONE: JobIndicators = { q: 0, r: 0, s: 0, e: 0 };

// A task counts only in the latest run that touched its study (or, for subject-level jobs, its
// subject), like `JOB:x` in the filter bar: a study fixed by a rerun no longer shows as erroneous.
const LATEST = {
  study: `t.study_id IN (SELECT value FROM json_each(?))
    AND t.run_id = (SELECT max(t2.run_id) FROM tasks t2 WHERE t2.study_id = t.study_id)`,
  subject: `t.subject_id IN (SELECT value FROM json_each(?))
    AND t.run_id = (SELECT max(t2.run_id) FROM tasks t2 WHERE t2.subject_id = t.subject_id AND t2.study_id IS t.study_id)`,
} as const;

/** The job-state indicators of studies or subjects (one statement), keyed by id; rows without tasks get zeros. */
export function jobIndicators(
  db: Db,
  level: 'study' | 'subject',
  ids: readonly number[],
): (id: number) => JobIndicators {
  if (ids.length === 0) return () => NONE;
  const column = level === 'study' ? 't.study_id' : 't.subject_id';
  const rows = db
    .prepare(
      `SELECT ${column} AS id, t.state, count(*) AS n FROM tasks t WHERE ${LATEST[level]} GROUP BY 1, 2`,
    )
    .all(JSON.stringify(ids)) as Array<{ id: number; state: TaskState; n: number }>;
  const byId = new Map<number, { q: number; r: number; s: number; e: number }>();
  for (const row of rows) {
    const letter = letterOf(row.state);
    if (letter === undefined) continue;
    const counts = byId.get(row.id) ?? { ...NONE };
    counts[letter] += row.n;
    byId.set(row.id, counts);
  }
  return (id) => byId.get(id) ?? NONE;
}

function letterOf(state: TaskState): keyof JobIndicators | undefined {
  for (const [letter, states] of Object.entries(JOB_FILTER_LETTERS)) {
    if ((states as readonly TaskState[]).includes(state)) return letter as keyof JobIndicators;
  }
  return undefined;
}
