import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveBatch } from '../../batches/resolve-batch.js';
import { invalidInput } from '../../errors/cohort-error.js';
import {
  BackgroundRunner,
  createNotebookRun,
  getTaskRow,
  isEnded,
  notebookUrl,
  saveNotebookJob,
  type CreatedNotebookRun,
  type NotebookOf,
} from '../../runs/index.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { loadBatchArg } from './load-batch-arg.js';
import { withSupervisor } from './with-supervisor.js';

// How long `cohort debug` waits for the server to answer before it leaves the user with the grid.
const URL_WAIT_MS = 180_000;
const URL_POLL_MS = 250;

export const debugCommand: CommandSpec = {
  name: 'debug',
  summary:
    "Open a job in Jupyter: a notebook of a task (or of a batch's job for one item) served as a task on the job's queue.",
  args: [
    { name: 'TASK', description: 'The task to debug (`cohort grid --all`); or --batch, --job, --item.' },
  ],
  options: {
    batch: {
      type: 'string',
      value: 'BATCH',
      description: 'A batch (.json or saved name) to debug before any run.',
    },
    job: {
      type: 'integer',
      min: 1,
      value: 'N',
      default: 1,
      description: "With --batch: the batch's job number.",
    },
    item: {
      type: 'string',
      value: 'PID#SID',
      description: 'With --batch: the item (a study, or a subject).',
    },
    execute: {
      type: 'boolean',
      description:
        'Run the notebook headless (nbclient) as a task and register its outputs, instead of serving it.',
    },
    idle: {
      type: 'integer',
      min: 1,
      value: 'MINUTES',
      description:
        'The server ends itself after this long without activity (default COHORT_NOTEBOOK_IDLE_MINUTES, else 60).',
    },
  },
  examples: [
    'cohort debug 42',
    "cohort debug --batch masks.json --job 2 --item 'P001#20210314'",
    'cohort debug 42 --execute',
  ],
  async run(ctx) {
    const of = notebookOf(ctx);
    const mode = ctx.options.execute === true ? 'execute' : 'server';
    const input = {
      of,
      mode,
      owner: userInfo().username,
      ...(typeof ctx.options.idle === 'number' ? { idleSeconds: ctx.options.idle * 60 } : {}),
    } as const;
    if (mode === 'execute') {
      return withSupervisor(ctx, async (supervisor) => {
        const run = createNotebookRun(ctx.catalog(), ctx.project(), input);
        announce(ctx, run, 'runs headless');
        await supervisor.start(run.runId);
        await supervisor.whenEnded(run.runId);
        return report(ctx, run, getTaskRow(ctx.catalog().db, run.taskId)?.state === 'done');
      });
    }
    const run = createNotebookRun(ctx.catalog(), ctx.project(), input);
    // The server lives on after this command: a background runner owns its run, as with `run --no-wait`.
    await new BackgroundRunner(ctx.catalog().runsDir, {
      databasePath: ctx.catalog().config.databasePath,
      project: ctx.project().name,
    }).start(run.runId);
    announce(ctx, run, 'starts');
    return waitForUrl(ctx, run);
  },
};

export const debugSaveCommand: CommandSpec = {
  name: 'debug save',
  summary: "Show how a notebook's job cell differs from the job's script in its batch; with --yes save it.",
  args: [{ name: 'TASK', description: 'The notebook task (`cohort debug` printed its id).', required: true }],
  options: {
    batch: {
      type: 'string',
      value: 'FOLDER/NAME',
      description: "The saved batch to change (default: the batch of the task's run, at the top level).",
    },
    yes: {
      type: 'boolean',
      description: 'Save: the edited batch replaces it; the one before is kept as NAME~N.',
    },
  },
  examples: ['cohort debug save 57', 'cohort debug save 57 --batch qc/masks --yes'],
  run(ctx) {
    const id = taskId(ctx.args[0]);
    const arg = ctx.options.batch as string | undefined;
    const slash = arg?.lastIndexOf('/') ?? -1;
    const batch =
      arg === undefined
        ? undefined
        : { folder: slash < 0 ? '' : arg.slice(0, slash), name: arg.slice(slash + 1) };
    const save = saveNotebookJob(ctx.catalog(), ctx.project(), id, {
      ...(batch === undefined ? {} : { batch }),
      apply: ctx.options.yes === true,
    });
    if (ctx.json) return ctx.printJson(save);
    const name = `${save.batch.folder === '' ? '' : `${save.batch.folder}/`}${save.batch.name}`;
    if (save.diff === '')
      return ctx.print(`The job cell is the script of '${save.jobName}' in '${name}': nothing to save.`);
    ctx.print(
      `--- ${name}, job ${save.jobIndex + 1} '${save.jobName}'\n+++ the notebook's job cell\n${save.diff}`,
    );
    if (save.previous === undefined) ctx.print('Run again with --yes to save it.');
    else ctx.print(`Saved '${name}'; the version before is kept as '${save.previous}'.`);
  },
};

function notebookOf(ctx: CommandContext): NotebookOf {
  if (typeof ctx.options.batch !== 'string') {
    if (ctx.args[0] === undefined)
      throw invalidInput(
        'Name a task, or a batch job and item.',
        "cohort debug 42, or cohort debug --batch B --item 'P001#S1'",
      );
    return { kind: 'task', taskId: taskId(ctx.args[0]) };
  }
  const item = ctx.options.item;
  if (typeof item !== 'string' || ctx.args[0] !== undefined)
    throw invalidInput(
      'With --batch, give --item (and --job) instead of a task.',
      "--batch B --job 2 --item 'P001#S1'",
    );
  const batch = loadBatchArg(ctx, ctx.options.batch);
  const jobIndex = (ctx.options.job as number) - 1;
  if (jobIndex >= batch.jobs.length)
    throw invalidInput(`The batch '${batch.name}' has ${batch.jobs.length} job(s), not ${jobIndex + 1}.`);
  const resolution = resolveBatch(ctx.catalog().db, ctx.project(), batch, { selector: [item] });
  const found = resolution.items.find((i) => i.item === item) ?? resolution.items[0];
  if (found === undefined || resolution.items.length !== 1)
    throw invalidInput(
      `--item '${item}' selects ${resolution.items.length} items; it must select one.`,
      batch.level === 'study' ? "Give one study as 'PID#SID'." : 'Give one subject id.',
    );
  if (!found.runnable)
    throw invalidInput(
      `The item ${found.item} cannot run this batch: ${found.problems.join('; ')}.`,
      'See `cohort preview`.',
    );
  return { kind: 'batch', batch, jobIndex, item: found };
}

function taskId(word: string | undefined): number {
  const id = Number(word);
  if (!Number.isInteger(id) || id < 1)
    throw invalidInput(`'${word ?? ''}' is not a task id.`, 'Give a number from `cohort grid --all`.');
  return id;
}

function announce(ctx: CommandContext, run: CreatedNotebookRun, what: string): void {
  if (!ctx.json) ctx.print(`Task ${run.taskId} (run ${run.runId}) ${what}: ${run.notebook}`);
}

async function waitForUrl(ctx: CommandContext, run: CreatedNotebookRun): Promise<number> {
  const deadline = Date.now() + URL_WAIT_MS;
  for (;;) {
    const task = getTaskRow(ctx.catalog().db, run.taskId);
    if (task === undefined) return 1;
    const url = notebookUrl(task);
    if (url !== null) {
      if (ctx.json) ctx.printJson({ ...run, url });
      else ctx.print(`Open ${url}\nStop it with: cohort grid kill ${run.taskId}`);
      return 0;
    }
    if (isEnded(task.state)) return report(ctx, run, false);
    if (Date.now() > deadline) {
      ctx.warn(
        `The server did not answer within ${URL_WAIT_MS / 1000} s; its URL will show in \`cohort grid show ${run.taskId}\`.`,
      );
      return 1;
    }
    await sleep(URL_POLL_MS);
  }
}

function report(ctx: CommandContext, run: CreatedNotebookRun, ok: boolean): number {
  const task = getTaskRow(ctx.catalog().db, run.taskId);
  if (ctx.json) ctx.printJson({ ...run, state: task?.state, error: task?.error ?? null });
  else if (ok) ctx.print(`Task ${run.taskId} done: the notebook ran and registered its outputs.`);
  else ctx.warn(`error: task ${run.taskId} ${task?.state ?? 'vanished'}: ${task?.error ?? ''}`);
  return ok ? 0 : 1;
}
