import { ACTIVE_STATES } from '../../engine/task-states.js';
import type { TaskRow } from '../../engine/task-store.js';
import { CohortError } from '../../errors/cohort-error.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { taskOf } from './grid-commands.js';
import { withEngine } from './with-engine.js';

type Action = 'cancel' | 'suspend' | 'resume' | 'hold' | 'release';

/** Applies an executor action to tasks; one result line per task, and a non-zero exit if any failed. */
async function act(ctx: CommandContext, tasks: readonly TaskRow[], action: Action): Promise<number> {
  return withEngine(ctx, async (engine, executor) => {
    const method: ((ids: readonly string[]) => Promise<void>) | undefined = executor[action]?.bind(executor);
    if (method === undefined) {
      throw new CohortError('NOT_AVAILABLE', `The ${executor.kind} executor cannot ${action} tasks.`);
    }
    let failed = 0;
    const targets = tasks.filter((t) => {
      if (t.executor_id !== null && ACTIVE_STATES.includes(t.state)) return true;
      ctx.warn(`task ${t.id}: ${t.state}, nothing to ${action}`);
      failed++;
      return false;
    });
    const ids = [...new Set(targets.map((t) => t.executor_id as string))];
    if (ids.length > 0) await method(ids);
    await engine.poll();
    for (const t of targets) ctx.print(`task ${t.id}: ${action} requested`);
    return failed === 0 ? 0 : 1;
  });
}

function actionCommand(name: string, action: Action, summary: string): CommandSpec {
  return {
    name,
    summary,
    args: [{ name: 'ID', description: 'Task ids.', required: true, variadic: true }],
    options: {},
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
  run(ctx) {
    const rows = ctx
      .catalog()
      .db.prepare(
        `SELECT * FROM tasks WHERE project_id = ? AND state IN (${ACTIVE_STATES.map(() => '?').join(', ')})`,
      )
      .all(ctx.project().id, ...ACTIVE_STATES) as TaskRow[];
    return rows.length === 0 ? (ctx.print('No active tasks.'), 0) : act(ctx, rows, 'cancel');
  },
};

export const gridClearCommand: CommandSpec = {
  name: 'grid clear',
  summary:
    'Remove ended tasks that failed (error, killed, skipped) from the grid; --done also removes finished ones.',
  args: [],
  options: { done: { type: 'boolean', description: 'Also remove done tasks.' } },
  run(ctx) {
    const states =
      ctx.options.done === true ? ['error', 'killed', 'skipped', 'done'] : ['error', 'killed', 'skipped'];
    const info = ctx
      .catalog()
      .db.prepare(`DELETE FROM tasks WHERE project_id = ? AND state IN (${states.map(() => '?').join(', ')})`)
      .run(ctx.project().id, ...states);
    ctx.print(`${info.changes} task(s) cleared.`);
  },
};
