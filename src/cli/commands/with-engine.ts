import { Engine } from '../../runs/engine.js';
import type { EngineListener } from '../../runs/engine-listener.js';
import { ExecutorSet } from '../../executors/executor-set.js';
import { executorFactory } from '../../executors/make-executor.js';
import type { CommandContext } from '../command-spec.js';

/**
 * Runs `fn` with an engine over this installation's executors (made on first use: a command that
 * touches only local tasks never calls a cluster). The local executor reads task state from files, so
 * a CLI started later sees and controls tasks an earlier one started; cluster executors ask their
 * scheduler.
 */
export async function withEngine<T>(
  ctx: CommandContext,
  fn: (engine: Engine, executors: ExecutorSet) => Promise<T>,
  listeners: readonly EngineListener[] = [],
): Promise<T> {
  const executors = new ExecutorSet(executorFactory(ctx.config));
  try {
    return await fn(new Engine(ctx.catalog(), executors, listeners), executors);
  } finally {
    await executors.close();
  }
}
