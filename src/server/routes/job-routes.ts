import type { Context } from 'hono';
import { Hono } from 'hono';
import type { z } from 'zod';
import type { BatchItems } from '../../batches/load-batch-scope.js';
import { DEFAULT_PREVIEW_LIMIT } from '../../batches/batch-preview.js';
import { previewBatch } from '../../batches/preview-batch.js';
import { resolveBatch } from '../../batches/resolve-batch.js';
import { validateBatch } from '../../batches/batch-definition.js';
import type { Project } from '../../catalog/project-store.js';
import { checkLibraryJobs, libraryJobDefinition } from '../../jobs/library.js';
import { scriptVariables } from '../../jobs/script-variables.js';
import { placeJob } from '../../queues/place-job.js';
import { planRerun, startRun as startRunOf, type RerunPlan } from '../../runs/index.js';
import {
  previewBody,
  rerunBody,
  runBody,
  scriptVariablesBody,
  type itemsSchema,
  type LibraryEntry,
  type PreviewResponse,
  type RunResponse,
  type ScriptVariablesResponse,
} from '../api-types.js';
import { authorizeProject, requireUser } from '../auth/rights.js';
import { idParam, readBody } from '../read-request.js';
import type { AppEnv } from '../server-context.js';

/** The composer's helpers (library, script variables), the resolution preview, runs and reruns. */
export function jobRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/library', (c) =>
    c.json(
      c.var.ctx.library().map((job) => ({
        id: job.id,
        name: job.name,
        description: job.description,
        requires: job.requires,
        ...(job.tool === undefined ? {} : { tool: job.tool }),
        help: job.help,
        job: libraryJobDefinition(job),
      })) satisfies LibraryEntry[],
    ),
  );
  app.post('/script-variables', async (c) => {
    const body = await readBody(c, scriptVariablesBody);
    return c.json({ rows: scriptVariables(body.language, body.script) } satisfies ScriptVariablesResponse);
  });

  app.post('/projects/:project/preview', async (c) => {
    const project = authorizeProject(c, 'read');
    const body = await readBody(c, previewBody);
    const batch = validateBatch(body.batch);
    checkLibraryJobs(batch.jobs, c.var.ctx.library());
    const db = c.var.ctx.catalog.db;
    const interpreters = batch.jobs
      .filter((job) => job.language === 'python')
      .map((job) => {
        const placed = placeJob(db, project, job, undefined);
        return { job: job.name, queue: placed.queue, python: placed.python };
      });
    // The composer shows a page; generalised patterns for inputs some items miss come with it.
    const page = { offset: body.offset ?? 0, limit: body.limit ?? DEFAULT_PREVIEW_LIMIT };
    const preview = previewBatch(db, project, batch, itemsOf(body), page);
    return c.json({ ...preview, interpreters } satisfies PreviewResponse);
  });

  app.post('/projects/:project/runs', async (c) => {
    const project = authorizeProject(c, 'runBatches');
    const body = await readBody(c, runBody);
    const batch = validateBatch(body.batch);
    checkLibraryJobs(batch.jobs, c.var.ctx.library());
    const resolution = resolveBatch(c.var.ctx.catalog.db, project, batch, itemsOf(body));
    const selection = body.filter ?? body.selector?.join(' ') ?? '*';
    return c.json(await startRun(c, project, { batch, resolution, selection }, body), 201);
  });

  app.post('/projects/:project/runs/:runId/rerun', async (c) => {
    const project = authorizeProject(c, 'runBatches');
    const body = await readBody(c, rerunBody);
    const batch = body.batch === undefined ? undefined : validateBatch(body.batch);
    if (batch !== undefined) checkLibraryJobs(batch.jobs, c.var.ctx.library());
    const plan = planRerun(c.var.ctx.catalog.db, project, idParam(c, 'runId'), batch);
    if (plan === null) return c.json({ runId: null, tasks: 0, skipped: [] });
    return c.json(await startRun(c, project, plan, body), 201);
  });
  return app;
}

/**
 * Creates a run of a resolved batch and starts it on the server's supervisor, like `cohort run` does
 * in its own process (the same runs `startRun`). Shared with the grid's restart action.
 */
export async function startRun(
  c: Context<AppEnv>,
  project: Project,
  plan: RerunPlan,
  options: {
    readonly mode: z.infer<typeof runBody>['mode'];
    readonly units?: number;
    readonly queue?: string;
  },
): Promise<RunResponse> {
  return startRunOf(
    c.var.ctx.catalog,
    project,
    {
      batch: plan.batch,
      resolution: plan.resolution,
      mode: options.mode,
      ...(options.units === undefined ? {} : { units: options.units }),
      ...(options.queue === undefined ? {} : { queue: options.queue }),
      owner: requireUser(c).name,
      selection: plan.selection,
    },
    c.var.ctx.runs,
  );
}

function itemsOf(body: z.infer<typeof itemsSchema>): BatchItems {
  if (body.filter !== undefined) return { filter: body.filter };
  if (body.selector !== undefined && body.selector.length > 0) return { selector: body.selector };
  return 'all';
}
