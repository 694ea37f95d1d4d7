import { userInfo } from 'node:os';
import { resolveBatch } from '../../batches/resolve-batch.js';
import type { BatchResolution } from '../../batches/batch-resolution.js';
import type { BatchDefinition } from '../../batches/batch-definition.js';
import { placeJob } from '../../queues/place-job.js';
import {
  activeRunIds,
  BackgroundRunner,
  planRerun,
  RUN_MODES,
  runnerLogPath,
  runOwner,
  startRun,
  tasksOfRun,
  type CreatedRun,
  type RunMode,
  type TaskRow,
} from '../../runs/index.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { formatTable } from '../format-table.js';
import { runProgress } from '../progress/run-progress.js';
import { adoptProposals, proposePatterns } from '../../batches/propose-patterns.js';
import { itemsArg, loadBatchArg, storeBatchArg } from './load-batch-arg.js';
import { withSupervisor } from './with-supervisor.js';

const ITEM_ARGS = [
  {
    name: 'BATCH',
    description: 'A batch file (.json) or a saved batch (NAME or FOLDER/NAME).',
    required: true,
  },
  {
    name: 'TERM',
    description: 'Selector terms choosing the studies (default: all); or use --filter.',
    variadic: true,
  },
] as const;

const QUEUE_OPTION = {
  type: 'string',
  value: 'QUEUE',
  description: "Queue for jobs that name none (default: the project's default queue, else local).",
} as const;

export const previewCommand: CommandSpec = {
  name: 'preview',
  summary:
    'Resolution preview: per item, the file each argument resolves to, and which items miss an input and why.',
  args: ITEM_ARGS,
  options: {
    filter: {
      type: 'string',
      value: 'FILTER',
      description: 'Choose items with the filter-bar language instead of selector terms.',
    },
    adopt: {
      type: 'boolean',
      description:
        'Adopt the proposed generalised patterns: save them into the batch (the saved batch, or the .json file) and preview again.',
    },
  },
  examples: [
    'cohort preview examples/dti.json',
    "cohort preview examples/dti.json --filter 'STAG:baseline & !JOB:r'",
    'cohort preview examples/dti.json --adopt',
  ],
  run(ctx) {
    let batch = loadBatchArg(ctx, ctx.args[0] ?? '');
    let resolution = resolve(ctx, batch);
    let proposals = proposePatterns(ctx.catalog().db, ctx.project(), batch, resolution);
    if (ctx.options.adopt === true && proposals.length > 0) {
      batch = adoptProposals(batch, proposals);
      storeBatchArg(ctx, ctx.args[0] ?? '', batch);
      for (const p of proposals) {
        ctx.warn(`Adopted for job '${p.job}', argument '${p.argument}': ${p.pattern}`);
      }
      resolution = resolve(ctx, batch);
      proposals = proposePatterns(ctx.catalog().db, ctx.project(), batch, resolution);
    }
    if (ctx.json) return ctx.printJson({ ...resolution, proposals });
    printPreview(ctx, resolution);
    for (const p of proposals) {
      ctx.print(
        `Proposal: job '${p.job}', argument '${p.argument}': ${p.pattern} instead of ${p.from.join(' ')} ` +
          `finds it in ${p.missingNow - p.missingAfter} more item(s)` +
          `${p.missingAfter === 0 ? ' (all)' : `, ${p.missingAfter} still missing`}; adopt with --adopt.`,
      );
    }
    for (const job of batch.jobs.filter((j) => j.language === 'python')) {
      const placed = placeJob(ctx.catalog().db, ctx.project(), job, undefined);
      ctx.print(`Python job '${job.name}' runs with ${placed.python} (queue ${placed.queue}).`);
    }
    return resolution.summary.ready === 0 ? 1 : 0;
  },
};

function resolve(ctx: CommandContext, batch: BatchDefinition): BatchResolution {
  return resolveBatch(ctx.catalog().db, ctx.project(), batch, itemsArg(ctx, ctx.args.slice(1)));
}

function printPreview(ctx: CommandContext, r: BatchResolution): void {
  const rows = r.items.map((item) => [
    item.item,
    item.runnable ? 'ready' : 'MISSING',
    item.jobs
      .flatMap((j) =>
        j.args
          .filter((a) => a.type === 'FILE')
          .map((a) =>
            a.ok && a.type === 'FILE'
              ? a.paths
                  .map((p, i) => {
                    const short = p.split('/').slice(-2).join('/');
                    // A sidecar says where it was inherited from: `dwi.bval (dataset level)`.
                    const origin = a.origins?.[i];
                    return origin === undefined ? short : `${short} (${origin})`;
                  })
                  .join(',')
              : '-',
          ),
      )
      .join('  '),
    [...item.problems, ...item.warnings].join('; '),
  ]);
  ctx.print(formatTable(['ITEM', 'STATUS', 'INPUTS', 'PROBLEMS'], rows));
  ctx.print(
    `${r.summary.ready} of ${r.summary.total} item(s) ready, ${r.summary.notRunnable} missing an input.`,
  );
  printGroupAndCollisions(ctx, r);
}

/** The group-level jobs' lists of inputs, and outputs two tasks would write (which `run` refuses). */
function printGroupAndCollisions(ctx: CommandContext, r: BatchResolution): void {
  for (const job of r.group?.jobs ?? []) {
    ctx.print(`Group-level job '${job.name}' runs once over ${r.group?.items.length ?? 0} item(s):`);
    for (const arg of job.args) {
      if (!arg.ok) ctx.print(`  ${arg.name}: ${arg.reason}`);
      else if (arg.type === 'FILE') ctx.print(`  ${arg.name} (${arg.paths.length}): ${arg.paths.join(' ')}`);
      else if (arg.type === 'OUT' || arg.type === 'PATHOUT') ctx.print(`  ${arg.name}: ${arg.path}`);
    }
  }
  for (const c of r.collisions) {
    ctx.print(`COLLISION: ${c.path} is written by ${c.writers.join(', ')}`);
  }
  if (r.collisions.length > 0) {
    ctx.print(
      'run refuses outputs written twice: give each item its own output, or make the job group-level ("level": "group").',
    );
  }
}

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
      resolve(ctx, batch),
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
    const background = new BackgroundRunner(ctx.catalog().runsDir);
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
          return 0;
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
        return ended.every((tasks) => tasks.every((t) => t.state === 'done')) ? 0 : 1;
      },
      progress.listeners,
    ).finally(() => progress.stop());
  },
};
