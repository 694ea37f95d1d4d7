import type { CohortConfig } from '../config/resolve-config.js';
import { addCommand } from './commands/add-command.js';
import { selectCommand } from './commands/browse-commands.js';
import { recordCommand } from './commands/record-command.js';
import { tagAddCommand, tagRemoveCommand } from './commands/tag-commands.js';
import type { CommandSpec } from './command-spec.js';
import { runCommand, type CliStreams } from './run-command.js';

/**
 * The commands jobs call (`cohort add "$o1" --tag t`, `cohort select`, `cohort tag`, `cohort record`). This module's
 * imports reach the catalog and selection code only, never the engine, the executors, the server or
 * zod; they are the very spec objects of COMMANDS, so both entries behave identically.
 */
export const LEAN_COMMANDS: readonly CommandSpec[] = [
  addCommand,
  selectCommand,
  tagAddCommand,
  tagRemoveCommand,
  recordCommand,
];

/**
 * The in-job CLI: runs `cohort add/select/tag` with only the code they need; null when the command
 * line is none of them (main.ts then loads the whole CLI). The build bundles this module and its
 * imports into one file (scripts/bundle-entries.sh): loading a few dozen ES modules one by one costs
 * more than the command itself.
 */
export function runLeanCli(
  argv: readonly string[],
  config: CohortConfig,
  io: CliStreams,
): Promise<number | null> {
  return runCommand(LEAN_COMMANDS, argv, config, io);
}
