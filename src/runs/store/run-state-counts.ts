import type { Db } from '../../db/open-database.js';
import { ACTIVE_STATES, sqlStateList, type TaskState } from '../task-states.js';

/** Tasks per state of one run: what a progress bar draws. */
export interface RunStateCounts {
  readonly runId: number;
  readonly counts: Readonly<Partial<Record<TaskState, number>>>;
}

/**
 * Per-state task counts of a project's runs that still have active tasks, plus its `recent` newest runs
 * (so a bar stays visible a while after its run ended), newest first. One grouped query.
 */
export function runStateCounts(db: Db, projectId: number, recent = 3): RunStateCounts[] {
  const rows = db
    .prepare(
      `SELECT run_id, state, count(*) AS n FROM tasks
       WHERE project_id = ? AND run_id IN (
         SELECT run_id FROM tasks WHERE project_id = ? AND state IN (${sqlStateList(ACTIVE_STATES)})
         UNION SELECT * FROM (SELECT DISTINCT run_id FROM tasks WHERE project_id = ? ORDER BY run_id DESC LIMIT ?))
       GROUP BY run_id, state ORDER BY run_id DESC`,
    )
    .all(projectId, projectId, projectId, recent) as Array<{ run_id: number; state: TaskState; n: number }>;
  const byRun = new Map<number, Partial<Record<TaskState, number>>>();
  for (const r of rows) {
    const counts = byRun.get(r.run_id) ?? {};
    counts[r.state] = r.n;
    byRun.set(r.run_id, counts);
  }
  return [...byRun].map(([runId, counts]) => ({ runId, counts }));
}
