import { addCommand } from './commands/add-command.js';
import { createCommand, projectsCommand, rescanCommand } from './commands/project-commands.js';
import type { CommandSpec } from './command-spec.js';

/** Every CLI command, in the order `cohort --help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [createCommand, projectsCommand, rescanCommand, addCommand];
