import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolveBatch } from '../../batches/resolve-batch.js';
import type { BatchResolution } from '../../batches/batch-resolution.js';
import { createRun } from '../../engine/create-run.js';
import { driveRun } from '../../runs/drive-run.js';
import { planRerun } from '../../runs/plan-rerun.js';
import { claimRun, openRunnerLog, releaseRun, runnerLogPath } from '../../engine/run-owner.js';
import { cliMainPath } from '../../engine/task-environment.js';
import { RUN_MODES, type RunMode } from '../../engine/run-modes.js';
import type { TaskRow } from '../../engine/task-store.js';
import { invalidInput } from '../../errors/cohort-error.js';
import { placeJob } from '../../queues/place-job.js';
import type { BatchDefinition } from '../../batches/batch-definition.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { formatTable } from '../format-table.js';
import { itemsArg, loadBatchArg } from './load-batch-arg.js';
import { withEngine } from './with-engine.js';

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
  },
  examples: ['cohort preview dti.json', "cohort preview dti.json --filter 'STAG:baseline & !JOB:r'"],
  run(ctx) {
    const batch = loadBatchArg(ctx, ctx.args[0] ?? '');
    const resolution = resolve(ctx, batch);
    if (ctx.json) return ctx.printJson(resolution);
    printPreview(ctx, resolution);
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
            a.ok && a.type === 'FILE' ? a.paths.map((p) => p.split('/').slice(-2).join('/')).join(',') : '-',
          ),
      )
      .join('  '),
    [...item.problems, ...item.warnings].join('; '),
  ]);
  ctx.print(formatTable(['ITEM', 'STATUS', 'INPUTS', 'PROBLEMS'], rows));
  ctx.print(
    `${r.summary.ready} of ${r.summary.total} item(s) ready, ${r.summary.notRunnable} missing an input.`,
  );
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
      description: `How tasks become scheduler jobs: ${RUN_MODES.join(', ')} (default chained).`,
    },
    units: { type: 'string', value: 'N', description: 'Number of scheduler jobs for --mode n-units.' },
    queue: QUEUE_OPTION,
    'no-wait': { type: 'boolean', description: 'Submit and return; watch with `cohort grid`.' },
  },
  examples: [
    'cohort run brain-mask.json',
    "cohort run dti.json '*#LATEST' stag:qc_ok --mode per-item",
    'cohort run smooth --filter JOB:e',
  ],
  async run(ctx) {
    const batch = loadBatchArg(ctx, ctx.args[0] ?? '');
    return startRun(
      ctx,
      batch,
      resolve(ctx, batch),
      ctx.args.slice(1).join(' ') || (typeof ctx.options.filter === 'string' ? ctx.options.filter : '*'),
    );
  },
};

/** Creates, submits and (unless --no-wait) watches a run; exit code 1 when any task failed or an item was left out. */
export async function startRun(
  ctx: CommandContext,
  batch: BatchDefinition,
  resolution: BatchResolution,
  selection: string,
): Promise<number> {
  const mode = modeOption(ctx);
  const units = typeof ctx.options.units === 'string' ? Number(ctx.options.units) : undefined;
  if (units !== undefined && !(Number.isInteger(units) && units >= 1 && units <= 100_000)) {
    throw invalidInput(
      `--units must be a whole number from 1 to 100000, not '${String(ctx.options.units)}'.`,
      'Give how many scheduler jobs the items are spread over, e.g. --units 4.',
    );
  }
  const run = createRun(ctx.catalog(), ctx.project(), {
    batch,
    resolution,
    mode,
    ...(units === undefined ? {} : { units }),
    ...(typeof ctx.options.queue === 'string' ? { queue: ctx.options.queue } : {}),
    owner: userInfo().username,
    selection,
  });
  for (const s of run.skipped) ctx.warn(`not run: ${s.item}: ${s.reasons.join('; ')}`);
  if (!ctx.json) ctx.print(`Run ${run.runId}: ${run.tasks} task(s) of batch '${batch.name}' (${mode}).`);
  if (ctx.options['no-wait'] === true) {
    // Local tasks wait in their runner's memory: a runner must live on after this command returns.
    const pid = startBackgroundRunner(ctx.config.home, run.runId);
    if (ctx.json) ctx.printJson({ ...run, runner: pid });
    else {
      ctx.print(
        `Running in the background (process ${pid}, log ${runnerLogPath(ctx.config.home, run.runId)}).`,
      );
      ctx.print('Watch with `cohort grid`.');
    }
    return 0;
  }
  return withEngine(ctx, async (engine) => {
    const tasks = await driveRun(engine, ctx.config.home, run.runId);
    report(ctx, run.runId, tasks, run.skipped.length);
    return tasks.every((t) => t.state === 'done') && run.skipped.length === 0 ? 0 : 1;
  });
}

/** `cohort resume --run N` in its own session, writing to the run's runner.log. Returns its pid. */
function startBackgroundRunner(home: string, runId: number): number {
  const log = openRunnerLog(home, runId);
  try {
    const child = spawn(process.execPath, [cliMainPath(), 'resume', '--run', String(runId)], {
      detached: true,
      stdio: ['ignore', log, log],
      env: process.env,
    });
    child.unref();
    // Claimed for it now: a `cohort resume` right after this must not take the run meanwhile.
    if (child.pid !== undefined) claimRun(home, runId, child.pid);
    return child.pid ?? 0;
  } finally {
    closeSync(log);
  }
}

function modeOption(ctx: CommandContext): RunMode {
  const mode = ctx.options.mode ?? 'chained';
  if (typeof mode === 'string' && (RUN_MODES as readonly string[]).includes(mode)) return mode as RunMode;
  throw invalidInput(`Unknown run mode '${String(mode)}'.`, `Use one of: ${RUN_MODES.join(', ')}.`);
}

function report(ctx: CommandContext, runId: number, tasks: readonly TaskRow[], skipped: number): void {
  const by = (state: string): number => tasks.filter((t) => t.state === state).length;
  if (ctx.json) {
    ctx.printJson({
      runId,
      done: by('done'),
      error: by('error'),
      killed: by('killed'),
      skipped: by('skipped'),
      notRun: skipped,
      tasks: tasks.map(({ resolved: _r, ...t }) => t),
    });
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
    mode: { type: 'string', value: 'MODE', description: `Run mode: ${RUN_MODES.join(', ')}.` },
    queue: QUEUE_OPTION,
    'no-wait': { type: 'boolean', description: 'Submit and return.' },
  },
  examples: ['cohort rerun 12 brain-mask-fixed.json'],
  async run(ctx) {
    const runId = Number(ctx.args[0]);
    const batch = ctx.args[1] === undefined ? undefined : loadBatchArg(ctx, ctx.args[1]);
    const plan = planRerun(ctx.catalog().db, ctx.project(), runId, batch);
    if (plan === null) {
      ctx.print(`Run ${runId} has no failed items.`);
      return 0;
    }
    return startRun(ctx, plan.batch, plan.resolution, plan.selection);
  },
};

export const resumeCommand: CommandSpec = {
  name: 'resume',
  summary:
    'After the runner stopped (closed terminal, crash, kill -9): resubmit tasks that never started, watch the rest until all end.',
  args: [],
  options: { run: { type: 'string', value: 'RUN', description: 'Resume only this run.' } },
  async run(ctx) {
    const db = ctx.catalog().db;
    const project = ctx.project();
    const only = typeof ctx.options.run === 'string' ? Number(ctx.options.run) : undefined;
    const active = db
      .prepare(
        `SELECT DISTINCT run_id FROM tasks WHERE project_id = ? AND state IN ('pending', 'queued', 'held', 'running', 'suspended')`,
      )
      .pluck()
      .all(project.id) as number[];
    const home = ctx.config.home;
    // A run whose runner still lives is left to it: its queued tasks are in that runner's memory.
    const runIds = active.filter((runId) => {
      if (only !== undefined && runId !== only) return false;
      const owner = claimRun(home, runId);
      if (owner !== undefined) ctx.warn(`run ${runId}: its runner (process ${owner}) is still running it`);
      return owner === undefined;
    });
    if (runIds.length === 0) {
      ctx.print('Nothing to resume: no active tasks without a runner.');
      return 0;
    }
    try {
      return await withEngine(ctx, async (engine) => {
        const resubmitted = await engine.reconcile(runIds);
        if (!ctx.json)
          ctx.print(
            `Resuming run(s) ${runIds.join(', ')}: ${resubmitted} task(s) submitted again (they had not started).`,
          );
        let code = 0;
        for (const runId of runIds) {
          const tasks = await engine.waitForRun(runId);
          report(ctx, runId, tasks, 0);
          if (!tasks.every((t) => t.state === 'done')) code = 1;
        }
        return code;
      });
    } finally {
      for (const runId of runIds) releaseRun(home, runId);
    }
  },
};
