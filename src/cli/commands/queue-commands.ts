import { EXECUTOR_KINDS, type ExecutorKind } from '../../executors/executor-kinds.js';
import { invalidInput } from '../../errors/cohort-error.js';
import {
  ISOLATION_KINDS,
  isolationSchema,
  type Isolation,
  type IsolationKind,
} from '../../jobs/isolation.js';
import {
  defaultQueueName,
  listQueues,
  pythonOf,
  removeQueue,
  saveQueue,
  setDefaultQueue,
  type Queue,
} from '../../queues/queue-store.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { formatTable } from '../format-table.js';

const GLOBAL = {
  type: 'boolean',
  description: 'A queue of every project (default: of this project only).',
} as const;

export const queueAddCommand: CommandSpec = {
  name: 'queue add',
  summary: 'Add (or replace) a named queue: an engine, its partition or queue, default resources.',
  args: [{ name: 'NAME', description: 'The name jobs use in options.resources.queue.', required: true }],
  options: {
    engine: { type: 'string', value: 'ENGINE', description: `One of ${EXECUTOR_KINDS.join(', ')}.` },
    target: {
      type: 'string',
      value: 'NAME',
      description: "Slurm partition or SGE queue (default: the scheduler's).",
    },
    cpus: { type: 'integer', min: 1, value: 'N', description: 'Default CPUs per job.' },
    memory: { type: 'integer', min: 1, value: 'MB', description: 'Default memory per job in MB.' },
    time: { type: 'integer', min: 1, value: 'MINUTES', description: 'Default wall-time limit.' },
    gpus: { type: 'integer', min: 0, value: 'N', description: 'Default GPUs per job.' },
    arg: {
      type: 'string',
      multiple: true,
      value: 'WORD',
      description: 'An extra scheduler word, e.g. --arg=--gres=gpu:1 or --arg=-l --arg=scratch=10G.',
    },
    python: {
      type: 'string',
      value: 'PATH',
      description:
        "Interpreter of Python jobs on this queue (default /usr/bin/python3; a bare name such as python3 is looked up on PATH after the job's environment line).",
    },
    isolation: {
      type: 'string',
      value: 'KIND',
      description: 'Run its jobs fenced in: sandbox (bubblewrap), podman or apptainer (default none).',
      choices: ISOLATION_KINDS,
    },
    image: { type: 'string', value: 'IMAGE', description: 'The container image (podman name or .sif file).' },
    network: { type: 'boolean', description: 'Let sandboxed or contained jobs reach the network.' },
    'isolation-global-arg': {
      type: 'string',
      multiple: true,
      value: 'WORD',
      description: 'An extra word before run / exec, e.g. --isolation-global-arg=--runtime=runc.',
    },
    'isolation-arg': {
      type: 'string',
      multiple: true,
      value: 'WORD',
      description:
        'An extra word after podman run / apptainer exec, e.g. --isolation-arg=--ulimit=nofile=1024:1024.',
    },
    global: GLOBAL,
  },
  examples: [
    'cohort queue add cpu --engine slurm --target debug --cpus 2 --memory 4000 --time 60',
    'cohort queue add venv --engine local --python ~/venv/bin/python3 && cohort queue default venv',
    'cohort queue add gpu --engine slurm --target gpu --arg=--gres=gpu:1 --global',
    'cohort queue add grid --engine sge --target all.q',
    'cohort queue add fenced --engine local --isolation sandbox',
    'cohort queue add fsl --engine slurm --isolation podman --image localhost/fsl:6.0',
  ],
  run(ctx) {
    const engine = ctx.options.engine;
    if (typeof engine !== 'string' || !(EXECUTOR_KINDS as readonly string[]).includes(engine)) {
      throw invalidInput(
        `--engine must be one of ${EXECUTOR_KINDS.join(', ')}, not '${String(engine ?? '')}'.`,
        'Example: cohort queue add cpu --engine slurm --target debug',
      );
    }
    const args = ctx.options.arg;
    const queue = saveQueue(
      ctx.catalog().db,
      ctx.project(),
      {
        name: ctx.args[0] ?? '',
        engine: engine as ExecutorKind,
        ...(typeof ctx.options.target === 'string' ? { target: ctx.options.target } : {}),
        defaults: {
          ...count(ctx, 'cpus'),
          ...count(ctx, 'memory', 'memoryMB'),
          ...count(ctx, 'time', 'timeMinutes'),
          ...count(ctx, 'gpus'),
        },
        schedulerArgs: Array.isArray(args) ? args : typeof args === 'string' ? [args] : [],
        ...(typeof ctx.options.python === 'string' ? { python: ctx.options.python } : {}),
        ...isolationOption(ctx),
      },
      ctx.options.global === true,
    );
    if (ctx.json) return ctx.printJson(queue);
    ctx.print(`Queue '${queue.name}' runs on ${describe(queue)}.`);
  },
};

export const queueListCommand: CommandSpec = {
  name: 'queue list',
  summary: 'List the queues this project sees and mark its default.',
  args: [],
  options: {},
  examples: ['cohort queue list', 'cohort queue list --json'],
  run(ctx) {
    const db = ctx.catalog().db;
    const project = ctx.project();
    const queues = listQueues(db, project);
    const fallback = defaultQueueName(db, project);
    if (ctx.json) return ctx.printJson({ default: fallback, queues });
    ctx.print(
      formatTable(
        ['QUEUE', 'DEFAULT', 'ENGINE', 'WHERE', 'RESOURCES', 'PYTHON', 'ISOLATION', 'SCOPE'],
        queues.map((q) => [
          q.name,
          q.name === fallback ? '*' : '',
          q.engine,
          q.target ?? '',
          [...Object.entries(q.defaults).map(([k, v]) => `${k}=${String(v)}`), ...q.schedulerArgs].join(' '),
          pythonOf(q),
          q.isolation === undefined ? '' : [q.isolation.kind, q.isolation.image ?? ''].join(' ').trim(),
          q.global ? 'all projects' : 'project',
        ]),
      ),
    );
  },
};

export const queueRemoveCommand: CommandSpec = {
  name: 'queue remove',
  summary: "Remove a queue; projects that used it as their default fall back to 'local'.",
  args: [{ name: 'NAME', description: 'The queue.', required: true }],
  options: { global: GLOBAL },
  examples: ['cohort queue remove gpu --global', 'cohort queue remove cpu'],
  run(ctx) {
    removeQueue(ctx.catalog().db, ctx.project(), ctx.args[0] ?? '', ctx.options.global === true);
    ctx.print(`Queue '${ctx.args[0] ?? ''}' removed.`);
  },
};

export const queueDefaultCommand: CommandSpec = {
  name: 'queue default',
  summary: "Set the project's default queue: jobs without a queue of their own run there.",
  args: [{ name: 'NAME', description: 'A queue (`local` for this machine).', required: true }],
  options: {},
  examples: ['cohort queue default local'],
  run(ctx) {
    setDefaultQueue(ctx.catalog().db, ctx.project(), ctx.args[0] ?? '');
    ctx.print(
      `Jobs of project '${ctx.project().name}' now run on queue '${ctx.args[0] ?? ''}' unless they name one.`,
    );
  },
};

/** An integer option (parsed and checked by its spec) as a field, when given. */
function count(ctx: CommandContext, option: string, key: string = option): Record<string, number> {
  const value = ctx.options[option];
  return typeof value === 'number' ? { [key]: value } : {};
}

function describe(queue: Queue): string {
  return `${queue.engine}${queue.target === undefined ? '' : ` (${queue.target})`}`;
}

/** The queue's isolation from --isolation, --image, --network and --isolation-arg; none when not given. */
function isolationOption(ctx: CommandContext): { isolation?: Isolation } {
  const kind = ctx.options.isolation;
  if (typeof kind !== 'string') {
    if (typeof ctx.options.image === 'string') {
      throw invalidInput(
        '--image needs --isolation podman or apptainer.',
        'Example: --isolation podman --image localhost/fsl:6.0',
      );
    }
    return {};
  }
  const words = ctx.options['isolation-arg'];
  const global = ctx.options['isolation-global-arg'];
  const parsed = isolationSchema.safeParse({
    kind: kind as IsolationKind,
    ...(typeof ctx.options.image === 'string' ? { image: ctx.options.image } : {}),
    ...(ctx.options.network === true ? { network: true } : {}),
    ...(Array.isArray(words) ? { runArgs: words } : typeof words === 'string' ? { runArgs: [words] } : {}),
    ...(Array.isArray(global)
      ? { globalArgs: global }
      : typeof global === 'string'
        ? { globalArgs: [global] }
        : {}),
  });
  if (!parsed.success) {
    throw invalidInput(
      `--isolation ${kind}: ${parsed.error.issues[0]?.message ?? 'invalid'}.`,
      'Example: cohort queue add fsl --engine local --isolation podman --image localhost/fsl:6.0',
    );
  }
  return { isolation: parsed.data };
}
