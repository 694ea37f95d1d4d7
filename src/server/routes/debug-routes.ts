import { Hono } from 'hono';
import { validateBatch } from '../../batches/batch-definition.js';
import { resolveBatch } from '../../batches/resolve-batch.js';
import { invalidInput, notFound } from '../../errors/cohort-error.js';
import { checkLibraryJobs } from '../../jobs/library.js';
import {
  createNotebookRun,
  getTaskRow,
  notebookEnded,
  notebookUrl,
  runOwners,
  saveNotebookJob,
  type NotebookOf,
  type NotebookSave,
} from '../../runs/index.js';
import { ApiProblem } from '../api-problem.js';
import { debugBody, notebookSaveBody, type DebugResponse, type NotebookResponse } from '../api-types.js';
import { authorizeProject, requireUser } from '../auth/rights.js';
import { idParam, readBody } from '../read-request.js';
import type { AppEnv } from '../server-context.js';

/** "Debug in Jupyter": start a notebook server task (grid and composer), and read its URL once it answers. */
export function debugRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/projects/:project/debug', async (c) => {
    const project = authorizeProject(c, 'runBatches');
    const body = await readBody(c, debugBody);
    const { catalog, runs } = c.var.ctx;
    let of: NotebookOf;
    if ('task' in body) {
      of = { kind: 'task', taskId: body.task };
    } else {
      const batch = validateBatch(body.batch);
      checkLibraryJobs(batch.jobs, c.var.ctx.library());
      if (body.job >= batch.jobs.length)
        throw invalidInput(`The batch has ${batch.jobs.length} job(s); there is no job ${body.job + 1}.`);
      const resolution = resolveBatch(catalog.db, project, batch, { selector: [body.item] });
      const item = resolution.items.length === 1 ? resolution.items[0] : undefined;
      if (item === undefined)
        throw invalidInput(
          `'${body.item}' selects ${resolution.items.length} items; debugging needs exactly one.`,
        );
      if (!item.runnable)
        throw invalidInput(`${item.item} cannot run this batch: ${item.problems.join('; ')}.`);
      of = { kind: 'batch', batch, jobIndex: body.job, item };
    }
    const run = createNotebookRun(catalog, project, {
      of,
      mode: 'server',
      owner: requireUser(c).name,
      ...(body.idleMinutes === undefined ? {} : { idleSeconds: body.idleMinutes * 60 }),
    });
    await runs.start(run.runId);
    return c.json({ runId: run.runId, taskId: run.taskId } satisfies DebugResponse);
  });

  app.get('/projects/:project/tasks/:id/notebook', (c) => {
    const project = authorizeProject(c, 'runBatches');
    const db = c.var.ctx.catalog.db;
    const task = getTaskRow(db, idParam(c, 'id'));
    if (task === undefined || task.project_id !== project.id)
      throw notFound(`No task ${idParam(c, 'id')} in project '${project.name}'.`);
    const user = requireUser(c);
    const owner = runOwners(db, [task.run_id]).get(task.run_id);
    if (owner !== user.name)
      throw new ApiProblem('FORBIDDEN', `The notebook of task ${task.id} is ${owner ?? 'someone else'}'s.`, {
        fix: 'Start your own with "Debug in Jupyter".',
      });
    return c.json({
      url: notebookUrl(task),
      state: task.state,
      error: task.error,
      ended: notebookEnded(task),
    } satisfies NotebookResponse);
  });
  app.post('/projects/:project/tasks/:id/notebook/save', async (c) => {
    const project = authorizeProject(c, 'editBatches');
    const body = await readBody(c, notebookSaveBody);
    const slash = body.batch?.lastIndexOf('/') ?? -1;
    const batch =
      body.batch === undefined
        ? undefined
        : { folder: slash < 0 ? '' : body.batch.slice(0, slash), name: body.batch.slice(slash + 1) };
    const save = saveNotebookJob(c.var.ctx.catalog, project, idParam(c, 'id'), {
      ...(batch === undefined ? {} : { batch }),
      apply: body.apply,
    });
    return c.json(save satisfies NotebookSave);
  });
  return app;
}
