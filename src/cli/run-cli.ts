import type { CohortConfig } from '../config/resolve-config.js';
import { COMMANDS } from './commands.js';
import { overviewHelp } from './help.js';
import { EXIT, runCommand, type CliStreams } from './run-command.js';

export { EXIT, type CliStreams } from './run-command.js';

/** Runs one command line with every command of the CLI (see `runCommand`). */
export async function runCli(
  argv: readonly string[],
  baseConfig: CohortConfig,
  io: CliStreams,
): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(`${overviewHelp(COMMANDS)}\n`);
    return EXIT.ok;
  }
  const code = await runCommand(COMMANDS, argv, baseConfig, io);
  if (code !== null) return code;
  io.err(`error: unknown command '${argv[0]}'.\n  hint: run \`cohort --help\` for the list of commands.\n`);
  return EXIT.usage;
}
