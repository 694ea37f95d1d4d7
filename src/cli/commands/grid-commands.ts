import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readFrom, readIfExists } from '../../executors/index.js';
import { redactSecrets } from '../../users/secret-token.js';
import {
  getTask,
  getTaskRow,
  gridCounts,
  gridRows,
  GRID_SORT_KEYS,
  isEnded,
  notebookEnded,
  notebookUrl,
  TASK_STATES,
  type GridSortKey,
  type Task,
  type TaskState,
} from '../../runs/index.js';
import { invalidInput, notFound } from '../../errors/cohort-error.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { formatTable } from '../format-table.js';

// How often `grid log --follow` looks for new output.
const FOLLOW_POLL_MS = 500;

// A long error text would push the table off the screen; `grid show` has it whole.
const ERROR_COLUMN_WIDTH = 60;

export const gridCommand: CommandSpec = {
  name: 'grid',
  summary:
    'List jobs (tasks) with counters: state, item, job, start, host, error. Finished ones are hidden unless --all.',
  args: [],
  options: {
    state: {
      type: 'string',
      multiple: true,
      value: 'STATE',
      description: `Only these states: ${TASK_STATES.join(', ')}.`,
    },
    search: { type: 'string', value: 'TEXT', description: 'Text in item, job name, error or host.' },
    subject: { type: 'string', value: 'PID', description: 'Only tasks of this subject.' },
    run: { type: 'integer', min: 1, value: 'N', description: 'Only tasks of this run.' },
    sort: {
      type: 'string',
      value: 'KEY',
      description: `Sort by ${GRID_SORT_KEYS.join(', ')} (prefix - for descending).`,
    },
    all: { type: 'boolean', description: 'Include finished (done) tasks.' },
  },
  examples: ['cohort grid', 'cohort grid --state error --sort -updated', 'cohort grid --search P003 --all'],
  run(ctx) {
    const db = ctx.catalog().db;
    const project = ctx.project();
    // Only a run's owner polls executors and writes states: the grid reads what they wrote.
    const sort = parseSort(ctx.options.sort);
    const rows = gridRows(db, {
      projectId: project.id,
      ...(Array.isArray(ctx.options.state) ? { states: ctx.options.state as TaskState[] } : {}),
      ...(typeof ctx.options.search === 'string' ? { search: ctx.options.search } : {}),
      ...(typeof ctx.options.subject === 'string' ? { subject: ctx.options.subject } : {}),
      ...(typeof ctx.options.run === 'number' ? { runId: ctx.options.run } : {}),
      ...sort,
      includeDone: ctx.options.all === true,
    });
    const counts = gridCounts(db, project.id);
    if (ctx.json) return ctx.printJson({ counts, tasks: rows });
    ctx.print(
      `running ${counts.running}  queued ${counts.queued}  suspended ${counts.suspended}  error ${counts.error}  done ${counts.done}`,
    );
    ctx.print(
      formatTable(
        ['ID', 'RUN', 'STATE', 'ITEM', 'JOB', 'STARTED', 'HOST', 'ERROR'],
        rows.map((t) => [
          String(t.id),
          String(t.run_id),
          t.state,
          t.item,
          t.job_name,
          t.started_at === null ? '' : new Date(t.started_at).toISOString().slice(0, 19).replace('T', ' '),
          t.host ?? '',
          // A notebook server's URL (with its token) where an error would be: it is what the row is for.
          notebookUrl(t) ?? (t.error ?? '').slice(0, ERROR_COLUMN_WIDTH),
        ]),
      ),
    );
  },
};

function parseSort(value: unknown): { sort?: GridSortKey; descending?: boolean } {
  if (typeof value !== 'string') return {};
  const descending = value.startsWith('-');
  const key = descending ? value.slice(1) : value;
  if (!(GRID_SORT_KEYS as readonly string[]).includes(key)) {
    throw invalidInput(
      `Unknown sort key '${value}'.`,
      `Use one of: ${GRID_SORT_KEYS.join(', ')} (prefix - for descending).`,
    );
  }
  return { sort: key as GridSortKey, descending };
}

/** A task of the current project by id, with a clear error otherwise (ids of other projects are not found). */
export function taskOf(ctx: CommandContext, idText: string): Task {
  const id = Number(idText);
  const task = Number.isInteger(id) ? getTask(ctx.catalog().db, id) : undefined;
  if (task === undefined || task.project_id !== ctx.project().id) {
    throw notFound(
      `No task ${idText} in project '${ctx.project().name}'.`,
      'List tasks with `cohort grid --all`.',
    );
  }
  return task;
}

export const gridShowCommand: CommandSpec = {
  name: 'grid show',
  summary:
    "Show a task as JSON: the job's full description, resolved inputs, command, times, exit code (provenance).",
  args: [{ name: 'ID', description: 'Task id (see `cohort grid`).', required: true }],
  options: {},
  examples: ['cohort grid show 1'],
  run(ctx) {
    const task = taskOf(ctx, ctx.args[0] ?? '');
    const { provenance, ...row } = task;
    const url = notebookUrl(task);
    const ended = notebookEnded(task);
    ctx.printJson({
      ...row,
      ...(url === null ? {} : { notebookUrl: url }),
      ...(ended === null ? {} : { notebookEnded: ended }),
      resolved: provenance,
    });
  },
};

export const gridLogCommand: CommandSpec = {
  name: 'grid log',
  summary: "Print a task's log (stdout, or --stderr); --follow keeps printing while it runs.",
  args: [{ name: 'ID', description: 'Task id.', required: true }],
  examples: ['cohort grid log 1', 'cohort grid log 1 --stderr --tail 2000', 'cohort grid log 1 --follow'],
  options: {
    stderr: { type: 'boolean', description: 'The error log instead of the output log.' },
    follow: { type: 'boolean', short: 'f', description: 'Keep printing new output until the task ends.' },
    tail: {
      type: 'integer',
      min: 0,
      default: 1024 * 1024,
      value: 'BYTES',
      description: 'Only the last BYTES of the log.',
    },
  },
  async run(ctx) {
    const task = taskOf(ctx, ctx.args[0] ?? '');
    const file = join(task.log_dir, ctx.options.stderr === true ? 'stderr.log' : 'stdout.log');
    const tail = ctx.options.tail as number;
    const size = statSync(file, { throwIfNoEntry: false })?.size;
    if (size === undefined || (size === 0 && isEnded(task.state))) {
      // Retention removes old logs; an ended task's empty log is kept (compactTaskFolder) and says so.
      ctx.warn(isEnded(task.state) ? '(no output)' : `(no log yet: the task is ${task.state})`);
    } else {
      ctx.print(redactSecrets(readIfExists(file, tail) ?? '').replace(/\n$/, ''));
    }
    if (ctx.options.follow === true) await followLog(ctx, task.id, file);
  },
};

async function followLog(ctx: CommandContext, id: number, file: string): Promise<void> {
  let offset = existsSync(file) ? statSync(file).size : 0;
  for (;;) {
    const task = getTaskRow(ctx.catalog().db, id);
    const chunk = readFrom(file, offset);
    if (chunk.data.length > 0) ctx.print(redactSecrets(chunk.data.toString('utf8')).replace(/\n$/, ''));
    offset = chunk.next;
    if (task === undefined || isEnded(task.state)) return;
    await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
  }
}
