import { activeTasks, clearTasks, type ExecutorAction, type TaskRow } from '../../runs/index.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { taskOf } from './grid-commands.js';
import { withSupervisor } from './with-supervisor.js';

/** Applies an executor action to tasks; one result line per task, and a non-zero exit if any failed. */
async function act(ctx: CommandContext, tasks: readonly TaskRow[], action: ExecutorAction): Promise<number> {
  return withSupervisor(ctx, async (supervisor) => {
    const results = await supervisor.act(tasks, action);
    for (const r of results) {
      if (r.ok) ctx.print(`task ${r.id}: ${r.message}`);
      else ctx.warn(`task ${r.id}: ${r.message}`);
    }
    return results.every((r) => r.ok) ? 0 : 1;
  });
}

function actionCommand(name: string, action: ExecutorAction, summary: string): CommandSpec {
  return {
    name,
    summary,
    args: [{ name: 'ID', description: 'Task ids.', required: true, variadic: true }],
    options: {},
    examples: [`cohort ${name} 3 4`],
    run: (ctx) =>
      act(
        ctx,
        ctx.args.map((id) => taskOf(ctx, id)),
        action,
      ),
  };
}

export const gridKillCommand = actionCommand(
  'grid kill',
  'cancel',
  'Kill tasks (SIGTERM, then SIGKILL after a grace period).',
);
export const gridSuspendCommand = actionCommand(
  'grid suspend',
  'suspend',
  'Suspend running tasks (SIGSTOP to the whole process group).',
);
export const gridResumeCommand = actionCommand('grid resume', 'resume', 'Resume suspended tasks.');
export const gridHoldCommand = actionCommand('grid hold', 'hold', 'Hold queued tasks back from starting.');
export const gridReleaseCommand = actionCommand('grid release', 'release', 'Release held tasks.');

export const gridKillAllCommand: CommandSpec = {
  name: 'grid kill-all',
  summary: 'Kill every active task of the project.',
  args: [],
  options: {},
  examples: ['cohort grid kill-all', 'cohort grid kill-all --project stroke'],
  run(ctx) {
    const rows = activeTasks(ctx.catalog().db, ctx.project().id);
    return rows.length === 0 ? (ctx.print('No active tasks.'), 0) : act(ctx, rows, 'cancel');
  },
};

export const gridClearCommand: CommandSpec = {
  name: 'grid clear',
  summary:
    'Remove ended tasks that failed (error, killed, skipped) from the grid; --done also removes finished ones.',
  args: [],
  options: { done: { type: 'boolean', description: 'Also remove done tasks.' } },
  examples: ['cohort grid clear', 'cohort grid clear --done'],
  run(ctx) {
    const cleared = clearTasks(ctx.catalog().db, ctx.project().id, ctx.options.done === true);
    ctx.print(`${cleared} task(s) cleared.`);
  },
};
