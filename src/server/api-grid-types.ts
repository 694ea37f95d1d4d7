import { z } from 'zod';
import type { GridCounts } from '../runs/store/grid-query.js';
import { GRID_SORT_KEYS } from '../runs/store/grid-query.js';
import { TASK_STATES, type TaskState } from '../runs/task-states.js';

/**
 * The grid monitor's and the live updates' request and response shapes (part of api-types.ts, which
 * re-exports them): `/api/projects/:project/tasks...` and `/api/events`.
 */

// ---- grid ----

/** GET /api/projects/:project/tasks: the grid. `sort` may start with `-` (descending). */
export const gridQuery = z.object({
  state: z.union([z.enum(TASK_STATES), z.array(z.enum(TASK_STATES))]).optional(),
  search: z.string().max(1000).optional(),
  subject: z.string().max(200).optional(),
  run: z.coerce.number().int().positive().optional(),
  sort: z
    .string()
    .refine((s) => (GRID_SORT_KEYS as readonly string[]).includes(s.replace(/^-/, '')), {
      message: `use one of ${GRID_SORT_KEYS.join(', ')}, optionally prefixed with -`,
    })
    .optional(),
  all: z.enum(['0', '1', 'true', 'false']).optional(),
  /** A page of at most `limit` tasks from `offset`, with `total` in the answer (default: every task). */
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});
/** A row of the grid (no provenance: GET .../tasks/:id has it). */
export interface GridTask {
  readonly id: number;
  readonly runId: number;
  readonly project: string;
  readonly item: string;
  readonly subjectId: number | null;
  readonly studyId: number | null;
  readonly jobIndex: number;
  readonly jobName: string;
  readonly state: TaskState;
  readonly executor: string;
  readonly executorId: string | null;
  readonly exitCode: number | null;
  readonly error: string | null;
  readonly host: string | null;
  readonly owner: string;
  readonly queuedAt: number | null;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  readonly updatedAt: number;
}
export interface GridResponse {
  readonly counts: GridCounts;
  readonly tasks: readonly GridTask[];
  /** With `limit`: how many tasks match the query in all pages. */
  readonly total?: number;
}
/** GET .../runs/progress: tasks per state of the active and the newest runs (the grid's progress bars). */
export interface RunProgressResponse {
  readonly runs: ReadonlyArray<{
    readonly runId: number;
    readonly counts: Readonly<Partial<Record<TaskState, number>>>;
  }>;
}
/** GET .../tasks/:id: the row plus its provenance (job, resolved arguments, command) as JSON. */
export interface TaskDetail extends GridTask {
  readonly resolved: unknown;
  /** The task's OUT files, relative to the project root (those inside it). */
  readonly outputFiles: readonly string[];
}
/**
 * GET .../tasks/:id/log?stream=stdout|stderr&tail=BYTES&offset=N -> TaskLog. With `follow=1` the answer
 * is an SSE stream of `log` events ({ data, next }) ending with an `end` event ({ state }).
 */
export const logQuery = z.object({
  stream: z.enum(['stdout', 'stderr']).default('stdout'),
  tail: z.coerce
    .number()
    .int()
    .min(0)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  offset: z.coerce.number().int().min(0).optional(),
  follow: z.enum(['0', '1', 'true', 'false']).optional(),
});
export interface TaskLog {
  readonly data: string;
  /** Offset to continue from (`?offset=`). */
  readonly next: number;
  readonly state: TaskState;
}

export const TASK_ACTIONS = ['kill', 'suspend', 'resume', 'hold', 'release', 'restart'] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];
/** POST /api/projects/:project/tasks/actions. `restart` reruns the tasks' items with their run's batch. */
export const taskActionBody = z.object({
  action: z.enum(TASK_ACTIONS),
  ids: z.array(z.number().int().positive()).min(1).max(100_000),
});
/** One result per task id. */
export interface TaskActionResponse {
  readonly results: ReadonlyArray<{ readonly id: number; readonly ok: boolean; readonly message: string }>;
  /** The runs `restart` created (one per run the tasks came from). */
  readonly runIds?: readonly number[];
}
// POST .../tasks/kill-all -> TaskActionResponse
/** POST .../tasks/clear: remove failed ended tasks (and done ones with `done`). */
export const clearBody = z.object({ done: z.boolean().default(false) });
export interface ClearResponse {
  readonly cleared: number;
}

// ---- live updates: GET /api/events?project=NAME (SSE) ----

/**
 * Server-sent events. `event: task` carries a {@link TaskEvent} for every state change of a task in a
 * project the caller may read (all of them, or `?project=`), with an `id:`; a client reconnecting with
 * `Last-Event-ID` (EventSource does so by itself) first gets the events it missed, or `event: resync`
 * when they are no longer held (reload the grid then). `event: ping` keeps the connection open;
 * `event: end` says the stream closes for good (the session ended).
 */
export interface TaskEvent {
  readonly project: string;
  readonly task: GridTask;
  readonly previous: TaskState | null;
}

// ---- debugging in Jupyter (cohort debug) ----

/**
 * POST /api/projects/:project/debug: a notebook server for a task (`task`), or for a batch's job
 * (`batch`, 0-based `job`) and one item (`item`, `PID#SID` or `PID`) before any run; `idleMinutes`: the
 * server's idle shutdown (default COHORT_NOTEBOOK_IDLE_MINUTES, else 60). -> DebugResponse.
 */
// A week: a server forgotten for longer should not hold a node (and its token) any more.
const idleMinutes = z
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 60)
  .optional();
export const debugBody = z.union([
  z.object({ task: z.number().int().min(1), idleMinutes }).strict(),
  z
    .object({ batch: z.unknown(), job: z.number().int().min(0), item: z.string().min(1), idleMinutes })
    .strict(),
]);
export interface DebugResponse {
  readonly runId: number;
  /** The notebook server's task: it shows in the grid and is killed there. */
  readonly taskId: number;
}
/**
 * GET /api/projects/:project/tasks/:id/notebook: the server's URL with its token once it answers
 * (null before, and after it ended). Only the run's owner gets it: the token runs code as them.
 */
export interface NotebookResponse {
  readonly url: string | null;
  readonly state: TaskState;
  readonly error: string | null;
  /** Why the server ended by itself (its idle shutdown), once it did; null otherwise. */
  readonly ended: string | null;
}
/**
 * POST /api/projects/:project/tasks/:id/notebook/save: the notebook's job cell against the job's script
 * in its saved batch (`batch`: `FOLDER/NAME`, default the run's batch); with `apply` it is saved, the
 * batch before kept as `NAME~N`. -> NotebookSave (runs/notebook/save-notebook-job.ts).
 */
export type { NotebookSave } from '../runs/notebook/save-notebook-job.js';
export const notebookSaveBody = z
  .object({ batch: z.string().min(1).max(400).optional(), apply: z.boolean().default(false) })
  .strict();
