import { Engine } from '../../engine/engine.js';
import type { EngineListener } from '../../engine/engine-listener.js';
import { LocalExecutor } from '../../executors/local/local-executor.js';
import type { CommandContext } from '../command-spec.js';

/**
 * Runs `fn` with an engine over the local executor (the embedded default). The executor reads task
 * state from files, so a CLI started later sees and controls tasks an earlier one started.
 */
export async function withEngine<T>(
  ctx: CommandContext,
  fn: (engine: Engine, executor: LocalExecutor) => Promise<T>,
  listeners: readonly EngineListener[] = [],
): Promise<T> {
  const executor = new LocalExecutor({});
  try {
    return await fn(new Engine(ctx.catalog(), executor, listeners), executor);
  } finally {
    await executor.close();
  }
}
