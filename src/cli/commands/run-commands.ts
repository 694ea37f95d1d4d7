import { userInfo } from 'node:os';
import { resolveBatch } from '../../batches/resolve-batch.js';
import type { BatchResolution } from '../../batches/batch-resolution.js';
import type { BatchDefinition } from '../../batches/batch-definition.js';
import {
  activeRunIds,
  BackgroundRunner,
  planRerun,
  RUN_MODES,
  runnerLogPath,
  runOwner,
  startRun,
  takeUnfinishedRuns,
  tasksOfRun,
  type CreatedRun,
  type RunMode,
  type TaskRow,
} from '../../runs/index.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { formatTable } from '../format-table.js';
import { runProgress } from '../progress/run-progress.js';
import { ITEM_ARGS, itemsArg, loadBatchArg } from './load-batch-arg.js';

export { previewCommand } from './preview-command.js';
import { withSupervisor } from './with-supervisor.js';

const QUEUE_OPTION = {
  type: 'string',
  value: 'QUEUE',
  description: "Queue for jobs that name none (default: the project's default queue, else local).",
} as const;

export const runCommand: CommandSpec = {
  name: 'run',
  summary:
    'Run a batch over a selection on the local machine and watch it; items missing an input are reported, the rest run.',
  args: ITEM_ARGS,
  options: {
    filter: { type: 'string', value: 'FILTER', description: 'Choose items with the filter-bar language.' },
    mode: {
      type: 'string',
      value: 'MODE',
      description: 'How tasks become scheduler jobs.',
      choices: RUN_MODES,
      default: 'chained',
    },
    units: {
      type: 'integer',
      min: 1,
      max: 100_000,
      value: 'N',
      description: 'Number of scheduler jobs for --mode n-units.',
    },
    queue: QUEUE_OPTION,
    'no-wait': { type: 'boolean', description: 'Submit and return; watch with `cohort grid`.' },
  },
  examples: [
    'cohort run examples/brain-mask.json',
    "cohort run examples/dti.json '*#LATEST' stag:followup --mode per-item",
    "cohort run qc/brain-mask --filter 'P00 & STAG:baseline'",
  ],
  async run(ctx) {
    const batch = loadBatchArg(ctx, ctx.args[0] ?? '');
    return runBatch(
      ctx,
      batch,
      resolveBatch(ctx.catalog().db, ctx.project(), batch, itemsArg(ctx, ctx.args.slice(1))),
      ctx.args.slice(1).join(' ') || (typeof ctx.options.filter === 'string' ? ctx.options.filter : '*'),
    );
  },
};

/** Creates, submits and (unless --no-wait) watches a run; exit code 1 when any task failed or an item was left out. */
export async function runBatch(
  ctx: CommandContext,
  batch: BatchDefinition,
  resolution: BatchResolution,
  selection: string,
): Promise<number> {
  const mode = ctx.options.mode as RunMode;
  const input = {
    batch,
    resolution,
    mode,
    ...(typeof ctx.options.units === 'number' ? { units: ctx.options.units } : {}),
    ...(typeof ctx.options.queue === 'string' ? { queue: ctx.options.queue } : {}),
    owner: userInfo().username,
    selection,
  };
  const announce = (run: CreatedRun): void => {
    for (const s of run.skipped) ctx.warn(`not run: ${s.item}: ${s.reasons.join('; ')}`);
    if (!ctx.json) ctx.print(`Run ${run.runId}: ${run.tasks} task(s) of batch '${batch.name}' (${mode}).`);
  };
  if (ctx.options['no-wait'] === true) {
    // Local tasks wait in their runner's memory: a runner must live on after this command returns.
    const background = new BackgroundRunner(ctx.catalog().runsDir, {
      databasePath: ctx.catalog().config.databasePath,
      project: ctx.project().name,
    });
    const run = await startRun(ctx.catalog(), ctx.project(), input, background);
    announce(run);
    if (ctx.json) ctx.printJson({ ...run, runner: background.pid });
    else {
      ctx.print(
        `Running in the background (process ${background.pid}, log ${runnerLogPath(ctx.catalog().runsDir, run.runId)}).`,
      );
      ctx.print('Watch with `cohort grid`.');
    }
    return 0;
  }
  const progress = runProgress(ctx);
  return withSupervisor(
    ctx,
    async (supervisor) => {
      const run = await startRun(ctx.catalog(), ctx.project(), input, supervisor);
      announce(run);
      progress.track(tasksOfRun(ctx.catalog().db, run.runId));
      const tasks = await supervisor.whenEnded(run.runId);
      progress.stop();
      report(ctx, run.runId, tasks, run.skipped.length);
      return tasks.every((t) => t.state === 'done') && run.skipped.length === 0 ? 0 : 1;
    },
    progress.listeners,
  ).finally(() => progress.stop());
}

function report(ctx: CommandContext, runId: number, tasks: readonly TaskRow[], skipped: number): void {
  const by = (state: string): number => tasks.filter((t) => t.state === state).length;
  if (ctx.json) {
    // The last line of the --json stream (task events come before it, one a line).
    ctx.print(
      JSON.stringify({
        event: 'finished',
        runId,
        done: by('done'),
        error: by('error'),
        killed: by('killed'),
        skipped: by('skipped'),
        notRun: skipped,
        tasks,
      }),
    );
    return;
  }
  const failed = tasks.filter((t) => t.state !== 'done');
  if (failed.length > 0) {
    ctx.print(
      formatTable(
        ['ID', 'STATE', 'ITEM', 'JOB', 'ERROR'],
        failed.map((t) => [String(t.id), t.state, t.item, t.job_name, t.error ?? '']),
      ),
    );
  }
  ctx.print(
    `Run ${runId} finished: ${by('done')} done, ${by('error')} error, ${by('killed')} killed, ${by('skipped')} not run after an error.`,
  );
  if (failed.length > 0)
    ctx.print(`Fix the job and rerun the failed items: cohort rerun ${runId} FIXED_BATCH.json`);
}

export const rerunCommand: CommandSpec = {
  name: 'rerun',
  summary:
    'Rerun the items that failed in a run (error, killed, not run) with a corrected batch, in one command.',
  args: [
    { name: 'RUN', description: 'The run id (see `cohort grid`).', required: true },
    {
      name: 'BATCH',
      description: "The corrected batch (.json or saved name); default: the run's own batch.",
    },
  ],
  options: {
    mode: { type: 'string', value: 'MODE', description: 'Run mode.', choices: RUN_MODES, default: 'chained' },
    queue: QUEUE_OPTION,
    'no-wait': { type: 'boolean', description: 'Submit and return.' },
  },
  examples: ['cohort rerun 1 examples/brain-mask.json'],
  async run(ctx) {
    const runId = Number(ctx.args[0]);
    const batch = ctx.args[1] === undefined ? undefined : loadBatchArg(ctx, ctx.args[1]);
    const plan = planRerun(ctx.catalog().db, ctx.project(), runId, batch);
    if (plan === null) {
      ctx.print(`Run ${runId} has no failed items.`);
      return 0;
    }
    return runBatch(ctx, plan.batch, plan.resolution, plan.selection);
  },
};

export const resumeCommand: CommandSpec = {
  name: 'resume',
  summary:
    'After the runner stopped (closed terminal, crash, kill -9): resubmit tasks that never started, watch the rest until all end.',
  args: [],
  options: { run: { type: 'integer', min: 1, value: 'RUN', description: 'Resume only this run.' } },
  examples: ['cohort resume', 'cohort resume --run 2'],
  async run(ctx) {
    const project = ctx.project();
    const only = typeof ctx.options.run === 'number' ? ctx.options.run : undefined;
    const active = activeRunIds(ctx.catalog().db, project.id).filter(
      (id) => only === undefined || id === only,
    );
    // Before adopting them: a run its runner left half created must not pass for a whole one.
    const unfinished = takeUnfinishedRuns(ctx.catalog(), project.id, only);
    for (const r of unfinished) {
      ctx.warn(
        `run ${r.runId}: ${r.created} of ${r.planned} tasks were created: its runner stopped while creating them, so the other ${r.planned - r.created} will not run.\n  hint: its ${r.created} tasks are resumed; run the batch again over the items it lacks (\`cohort run BATCH SELECTION\`).`,
      );
    }
    const partly = unfinished.length > 0 ? 1 : 0;
    const progress = runProgress(ctx);
    return withSupervisor(
      ctx,
      async (supervisor) => {
        const runIds = await supervisor.adopt(active);
        // A run whose runner still lives is left to it: its queued tasks are in that runner's memory.
        for (const runId of active.filter((id) => !runIds.includes(id))) {
          ctx.warn(
            `run ${runId}: its runner (process ${String(runOwner(ctx.catalog().runsDir, runId))}) is still running it`,
          );
        }
        if (runIds.length === 0) {
          ctx.print('Nothing to resume: no active tasks without a runner.');
          return partly;
        }
        if (!ctx.json)
          ctx.print(
            `Resuming run(s) ${runIds.join(', ')}: ${supervisor.resubmitted} task(s) submitted again (they had not started).`,
          );
        for (const runId of runIds) progress.track(tasksOfRun(ctx.catalog().db, runId));
        const ended: TaskRow[][] = [];
        for (const runId of runIds) ended.push(await supervisor.whenEnded(runId));
        progress.stop();
        runIds.forEach((runId, i) => report(ctx, runId, ended[i] ?? [], 0));
        return ended.every((tasks) => tasks.every((t) => t.state === 'done')) ? partly : 1;
      },
      progress.listeners,
    ).finally(() => progress.stop());
  },
};
