import type { CohortConfig } from '../config/resolve-config.js';
import { rerunCommand, resumeCommand, runCommand as runBatchCommand } from './commands/run-commands.js';
import type { CommandSpec } from './command-spec.js';
import { runCommand, type CliStreams } from './run-command.js';

/** The commands that run a batch and wait for it: their own code, not the rest of the CLI. */
export const RUNNER_COMMANDS: readonly CommandSpec[] = [runBatchCommand, rerunCommand, resumeCommand];

/**
 * Runs `cohort run/rerun/resume` without loading the rest of the CLI (tracts, DICOM, the indexer,
 * notebooks, users: 120 of 300 modules, 0.1 s of CPU at each start): a run is timed as a whole process
 * against `xargs`. Null when the command line is none of them.
 */
export function runRunnerCli(
  argv: readonly string[],
  config: CohortConfig,
  io: CliStreams,
): Promise<number | null> {
  return runCommand(RUNNER_COMMANDS, argv, config, io);
}
