import { isAbsolute, relative, sep } from 'node:path';
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Project } from '../../catalog/project-store.js';
import type { Db } from '../../db/open-database.js';
import { notFound } from '../../errors/cohort-error.js';
import {
  activeTasks,
  clearTasks,
  getTask,
  gridCounts,
  gridRows,
  gridPage,
  isEnded,
  planRerun,
  runOwners,
  runStateCounts,
  taskStateCounts,
  type ExecutorAction,
  type GridSortKey,
  type Task,
  type TaskRow,
} from '../../runs/index.js';
import {
  clearBody,
  gridQuery,
  taskActionBody,
  type ClearResponse,
  type GridResponse,
  type RunProgressResponse,
  type TaskAction,
  type TaskActionResponse,
  type TaskDetail,
} from '../api-types.js';
import { authorizeProject } from '../auth/rights.js';
import { toGridTask } from '../grid-task.js';
import { idParam, readBody, readQuery } from '../read-request.js';
import type { AppEnv } from '../server-context.js';
import { logRoute } from './log-route.js';
import { startRun } from './job-routes.js';

const EXECUTOR_ACTION: Record<Exclude<TaskAction, 'restart'>, ExecutorAction> = {
  kill: 'cancel',
  suspend: 'suspend',
  resume: 'resume',
  hold: 'hold',
  release: 'release',
};

/** The grid monitor of a project: tasks with counters, one task, its log, and the actions. */
export function gridRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const base = '/projects/:project/tasks';

  app.get(base, (c) => {
    const project = authorizeProject(c, 'read');
    const q = readQuery(c, gridQuery);
    const db = c.var.ctx.catalog.db;
    const descending = q.sort?.startsWith('-') === true;
    const query = {
      projectId: project.id,
      ...(q.state === undefined ? {} : { states: Array.isArray(q.state) ? q.state : [q.state] }),
      ...(q.search === undefined ? {} : { search: q.search }),
      ...(q.subject === undefined ? {} : { subject: q.subject }),
      ...(q.run === undefined ? {} : { runId: q.run }),
      ...(q.sort === undefined ? {} : { sort: q.sort.replace(/^-/, '') as GridSortKey, descending }),
      includeDone: q.all === '1' || q.all === 'true',
      ...(q.limit === undefined ? {} : { limit: q.limit, offset: q.offset ?? 0 }),
    };
    // Counted once for the counters and, when only states filter, the page's total.
    const byState = taskStateCounts(db, project.id);
    // A page tells how many there are in all; the whole grid is its own total.
    const { rows, total } =
      q.limit === undefined ? { rows: gridRows(db, query), total: undefined } : gridPage(db, query, byState);
    const owner = ownersOf(db, rows);
    return c.json({
      counts: gridCounts(db, project.id, byState),
      tasks: rows.map((t) => toGridTask(t, project.name, owner(t.run_id))),
      ...(total === undefined ? {} : { total }),
    } satisfies GridResponse);
  });

  app.get('/projects/:project/runs/progress', (c) => {
    const project = authorizeProject(c, 'read');
    return c.json({ runs: runStateCounts(c.var.ctx.catalog.db, project.id) } satisfies RunProgressResponse);
  });

  app.get(`${base}/:id`, (c) => {
    const project = authorizeProject(c, 'read');
    const task = taskOf(c, project);
    const owner = ownersOf(c.var.ctx.catalog.db, [task]);
    const { provenance, ...row } = task;
    return c.json({
      ...toGridTask(row, project.name, owner(task.run_id)),
      resolved: provenance,
      // Output files inside the root, relative to it: the grid opens them in the viewer.
      outputFiles: provenance.outputs
        .filter((o) => o.kind === 'OUT')
        .map((o) => relative(project.root, o.path))
        .filter((p) => p !== '' && !p.startsWith('..') && !isAbsolute(p))
        .map((p) => p.split(sep).join('/')),
    } satisfies TaskDetail);
  });
  app.get(`${base}/:id/log`, (c) => logRoute(c, taskOf(c, authorizeProject(c, 'read'))));

  app.post(`${base}/actions`, async (c) => {
    const project = authorizeProject(c, 'actOnTasks');
    const body = await readBody(c, taskActionBody);
    const tasks = body.ids.map((id) => taskById(c.var.ctx.catalog.db, project, id));
    if (body.action === 'restart') return c.json(await restart(c, project, tasks));
    const results = await c.var.ctx.runs.act(tasks, EXECUTOR_ACTION[body.action]);
    return c.json({ results } satisfies TaskActionResponse);
  });
  app.post(`${base}/kill-all`, async (c) => {
    const project = authorizeProject(c, 'actOnTasks');
    const { runs, catalog } = c.var.ctx;
    const results = await runs.act(activeTasks(catalog.db, project.id), 'cancel');
    return c.json({ results } satisfies TaskActionResponse);
  });
  app.post(`${base}/clear`, async (c) => {
    const project = authorizeProject(c, 'actOnTasks');
    const { done } = await readBody(c, clearBody);
    return c.json({ cleared: clearTasks(c.var.ctx.catalog.db, project.id, done) } satisfies ClearResponse);
  });
  return app;
}

/** Restart: ended tasks run again (their items, with their run's batch), one new run per original run. */
async function restart(
  c: Context<AppEnv>,
  project: Project,
  tasks: readonly TaskRow[],
): Promise<TaskActionResponse> {
  const results: Array<TaskActionResponse['results'][number]> = [];
  const byRun = new Map<number, number[]>();
  for (const t of tasks) {
    if (!isEnded(t.state)) {
      results.push({ id: t.id, ok: false, message: `${t.state}: kill it before restarting` });
      continue;
    }
    byRun.set(t.run_id, [...(byRun.get(t.run_id) ?? []), t.id]);
  }
  const runIds: number[] = [];
  for (const [runId, taskIds] of byRun) {
    const plan = planRerun(c.var.ctx.catalog.db, project, runId, undefined, { taskIds });
    if (plan === null) {
      for (const id of taskIds)
        results.push({ id, ok: false, message: 'its study is no longer in the catalog' });
      continue;
    }
    const run = await startRun(c, project, plan, { mode: 'chained' });
    runIds.push(run.runId);
    for (const id of taskIds) results.push({ id, ok: true, message: `restarted in run ${run.runId}` });
  }
  return { results, runIds };
}

function taskOf(c: Context<AppEnv>, project: Project): Task {
  return taskById(c.var.ctx.catalog.db, project, idParam(c, 'id'));
}

/** A task of this project; another project's task is not found, like a missing one. */
function taskById(db: Db, project: Project, id: number): Task {
  const task = getTask(db, id);
  if (task === undefined || task.project_id !== project.id)
    throw notFound(`No task ${id} in project '${project.name}'.`);
  return task;
}

function ownersOf(db: Db, rows: readonly TaskRow[]): (runId: number) => string {
  const owners = runOwners(
    db,
    rows.map((r) => r.run_id),
  );
  return (runId) => owners.get(runId) ?? '';
}
