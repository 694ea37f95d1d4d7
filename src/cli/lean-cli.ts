import type { CohortConfig } from '../config/resolve-config.js';
import { LEAN_COMMANDS } from './lean-commands.js';
import { runCommand, type CliStreams } from './run-command.js';

/**
 * The in-job CLI: runs `cohort add/select/tag` with only the code they need; null when the command
 * line is none of them (main.ts then loads the whole CLI). The build bundles this module and its
 * imports into one file (scripts/bundle-lean-cli.sh): loading a few dozen ES modules one by one costs
 * more than the command itself.
 */
export function runLeanCli(
  argv: readonly string[],
  config: CohortConfig,
  io: CliStreams,
): Promise<number | null> {
  return runCommand(LEAN_COMMANDS, argv, config, io);
}
