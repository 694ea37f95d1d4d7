import type { CohortConfig } from '../config/resolve-config.js';
import { createCommand, projectsCommand, rescanCommand } from './commands/project-commands.js';
import type { CommandSpec } from './command-spec.js';
import { runCommand, type CliStreams } from './run-command.js';

/** The indexing commands, which load the catalog and indexer only (not the engine, server or zod). */
export const INDEX_COMMANDS: readonly CommandSpec[] = [createCommand, projectsCommand, rescanCommand];

/**
 * Runs `cohort create/rescan/projects` without loading the rest of the CLI (a fifth of the modules):
 * an index is timed as a whole process, start-up included. Null when the command line is none of them.
 */
export function runIndexCli(
  argv: readonly string[],
  config: CohortConfig,
  io: CliStreams,
): Promise<number | null> {
  return runCommand(INDEX_COMMANDS, argv, config, io);
}
