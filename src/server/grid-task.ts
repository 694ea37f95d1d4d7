import type { TaskRow } from '../runs/store/task-store.js';
import type { GridTask } from './api-types.js';

/** A task row as the API shows it in the grid (camelCase, no provenance). */
export function toGridTask(t: TaskRow, project: string, owner: string): GridTask {
  return {
    id: t.id,
    runId: t.run_id,
    project,
    item: t.item,
    subjectId: t.subject_id,
    studyId: t.study_id,
    jobIndex: t.job_index,
    jobName: t.job_name,
    state: t.state,
    executor: t.executor,
    executorId: t.executor_id,
    exitCode: t.exit_code,
    error: t.error,
    host: t.host,
    owner,
    queuedAt: t.queued_at,
    startedAt: t.started_at,
    endedAt: t.ended_at,
    updatedAt: t.updated_at,
  };
}
