import { resolve } from 'node:path';
import { openCatalog, type Catalog } from '../catalog/catalog.js';
import { findProject, type Project } from '../catalog/project-store.js';
import type { CohortConfig } from '../config/resolve-config.js';
import { databaseProblem } from '../db/database-problem.js';
import { CohortError, isCohortError } from '../errors/cohort-error.js';
import type { CommandContext, CommandSpec } from './command-spec.js';
import { commandHelp } from './help.js';
import { parseCommandLine } from './parse-command-line.js';

/** Where a command's output goes. */
export interface CliStreams {
  out(text: string): void;
  err(text: string): void;
}

/** Exit codes: 0 fine, 1 the operation failed (or some items did), 2 the command line was wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * Runs one command line against the given commands; null when none of them matches (the caller
 * decides: the full CLI reports an unknown command, the lean entry hands over to the full CLI).
 * Errors a user can cause print as `error:` plus a hint, never a stack trace; anything else is a bug
 * and shows its stack so it can be reported.
 */
export async function runCommand(
  commands: readonly CommandSpec[],
  argv: readonly string[],
  baseConfig: CohortConfig,
  io: CliStreams,
): Promise<number | null> {
  let catalog: Catalog | undefined;
  let databasePath = baseConfig.databasePath;
  try {
    const parsed = parseCommandLine(commands, argv);
    if (parsed === null) return null;
    const { command, args, options } = parsed;
    if (options.help === true) {
      io.out(`${commandHelp(command)}\n`);
      return EXIT.ok;
    }
    const config: CohortConfig = Object.freeze({
      ...baseConfig,
      ...(typeof options.db === 'string' ? { databasePath: resolve(baseConfig.cwd, options.db) } : {}),
      ...(typeof options.project === 'string' ? { project: options.project } : {}),
    });
    if (config.jobProject !== undefined && config.project !== config.jobProject) {
      throw new CohortError(
        'INVALID_INPUT',
        `Inside a job of project '${config.jobProject}', project '${String(config.project)}' is not reachable.`,
        {
          hint: 'A job works on its own project only; drop --project.',
        },
      );
    }
    databasePath = config.databasePath;
    let project: Project | undefined;
    const ctx: CommandContext = {
      config,
      options,
      args,
      json: options.json === true,
      catalog: () => (catalog ??= openCatalog(config, { create: command.createsCatalog === true })),
      project: () => (project ??= findProject(ctx.catalog().db, config.project)),
      print: (text) => {
        io.out(`${text}\n`);
      },
      printJson: (value) => {
        io.out(`${JSON.stringify(value, null, 2)}\n`);
      },
      warn: (text) => {
        io.err(`${text}\n`);
      },
    };
    return (await command.run(ctx)) ?? EXIT.ok;
  } catch (thrown) {
    // A damaged, read-only or full database: one line that names it, not a stack trace.
    const error = databaseProblem(thrown, databasePath) ?? thrown;
    if (!isCohortError(error)) throw error;
    io.err(`error: ${error.message}\n${error.hint === undefined ? '' : `  hint: ${error.hint}\n`}`);
    return error.code === 'SYNTAX' || error.code === 'INVALID_INPUT' ? EXIT.usage : EXIT.failed;
  } finally {
    catalog?.close();
  }
}
