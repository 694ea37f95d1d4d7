import type { CohortConfig } from '../config/resolve-config.js';
import { TRACTS_COMMANDS } from './commands/tracts-commands.js';
import { runCommand, type CliStreams } from './run-command.js';

/**
 * `cohort tracts ...` with only the tract library and its commands loaded (the very spec objects of
 * COMMANDS, so both entries behave identically); null when the command line is none of them (main.ts
 * then loads the whole CLI). The build bundles this module into one file (scripts/bundle-entries.sh):
 * `cohort tracts stats` is timed against `tckstats` as a whole process, and loading the whole CLI
 * cost a quarter of its time on a million streamlines.
 */
export function runTractsCli(
  argv: readonly string[],
  config: CohortConfig,
  io: CliStreams,
): Promise<number | null> {
  return runCommand(TRACTS_COMMANDS, argv, config, io);
}
