import type { EngineListener } from '../../runs/engine-listener.js';
import { RunSupervisor } from '../../runs/run-supervisor.js';
import type { CommandContext } from '../command-spec.js';
import { runLeanCli } from '../lean-cli.js';

/**
 * Runs `fn` with a run supervisor over this installation's executors (made on first use: a command
 * that touches only local tasks never calls a cluster). The supervisor owns the runs it starts or
 * adopts while `fn` runs, and gives them back when it closes.
 */
export async function withSupervisor<T>(
  ctx: CommandContext,
  fn: (supervisor: RunSupervisor) => Promise<T>,
  listeners: readonly EngineListener[] = [],
): Promise<T> {
  const supervisor = new RunSupervisor(ctx.catalog(), listeners);
  // Jobs' `cohort add/select/tag/record` answered in this process: the same lean entry they would load.
  supervisor.serveJobs(runLeanCli);
  try {
    return await fn(supervisor);
  } finally {
    await supervisor.close();
  }
}
