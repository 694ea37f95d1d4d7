import type { GridCounts, GridTask, TaskEvent } from '../api/api-types.js';

/**
 * The grid reloads from the server this often besides the live events, so it shows the database's
 * state within 2 s of a change even when events are lost (a proxy dropping a stream, a change another
 * process made that the server's poll missed). One list request a second while the page is visible.
 */
export const GRID_RESYNC_MS = 1000;

export const GRID_SORTS = ['id', 'job', 'item', 'state', 'started', 'updated'] as const;
export type GridSort = (typeof GRID_SORTS)[number];

/** The grid's rows by task id, and the server's count of done tasks (hidden ones included). */
export interface GridModel {
  readonly tasks: ReadonlyMap<number, GridTask>;
  readonly doneCount: number;
}

/**
 * Applies live changes: new tasks appear, known ones change; a task that finished (done) leaves the
 * table unless finished ones are shown. Failed tasks always stay, for analysis.
 */
export function applyTaskEvents(
  model: GridModel,
  events: readonly TaskEvent[],
  showDone: boolean,
): GridModel {
  const tasks = new Map(model.tasks);
  let doneCount = model.doneCount;
  for (const { task } of events) {
    const before = tasks.get(task.id);
    if (task.state === 'done' && before?.state !== 'done') doneCount++;
    if (before?.state === 'done' && task.state !== 'done') doneCount--;
    if (task.state === 'done' && !showDone) tasks.delete(task.id);
    else tasks.set(task.id, task);
  }
  return { tasks, doneCount };
}

/** The counters at the top, from the rows held (every task but hidden done ones) plus the done count. */
export function countTasks(model: GridModel): GridCounts {
  const counts = { running: 0, queued: 0, suspended: 0, error: 0, done: model.doneCount };
  for (const t of model.tasks.values()) {
    switch (t.state) {
      case 'running':
        counts.running++;
        break;
      case 'pending':
      case 'queued':
      case 'held':
        counts.queued++;
        break;
      case 'suspended':
        counts.suspended++;
        break;
      case 'error':
      case 'killed':
        counts.error++;
        break;
      case 'done':
      case 'skipped':
        break;
    }
  }
  return counts;
}

function sortValue(t: GridTask, key: GridSort): string | number {
  switch (key) {
    case 'id':
      return t.id;
    case 'job':
      return t.jobName;
    case 'item':
      return t.item;
    case 'state':
      return t.state;
    case 'started':
      return t.startedAt ?? 0;
    case 'updated':
      return t.updatedAt;
  }
}

/** The rows to show: matching the search (item, function, state, error, host, owner), sorted. */
export function visibleTasks(
  model: GridModel,
  search: string,
  sort: GridSort,
  descending: boolean,
): GridTask[] {
  const needle = search.trim().toLowerCase();
  const rows = [...model.tasks.values()].filter(
    (t) =>
      needle === '' ||
      [t.item, t.jobName, t.state, t.error ?? '', t.host ?? '', t.owner].some((f) =>
        f.toLowerCase().includes(needle),
      ),
  );
  const sign = descending ? -1 : 1;
  return rows.sort((a, b) => {
    const x = sortValue(a, sort);
    const y = sortValue(b, sort);
    return (x < y ? -1 : x > y ? 1 : a.id - b.id) * sign;
  });
}

/** The subject id of a task's item (`P001#20200101` → `P001`). */
export function subjectOf(task: GridTask): string {
  return task.item.split('#')[0] ?? task.item;
}
