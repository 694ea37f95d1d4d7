import { addCommand } from './commands/add-command.js';
import { selectCommand } from './commands/browse-commands.js';
import { tagAddCommand, tagRemoveCommand } from './commands/tag-commands.js';
import type { CommandSpec } from './command-spec.js';

/**
 * The commands jobs call (`cohort add "$o1" --tag t`, `cohort select`, `cohort tag`), loadable without
 * the rest of the CLI: this module's imports reach the catalog and selection code only, never the
 * engine, the executors, the server or zod, so a call costs little more than Node's own start-up.
 * The same spec objects are in COMMANDS, so both entries behave identically.
 */
export const LEAN_COMMANDS: readonly CommandSpec[] = [
  addCommand,
  selectCommand,
  tagAddCommand,
  tagRemoveCommand,
];
