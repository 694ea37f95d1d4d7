import { addCommand } from './commands/add-command.js';
import { demoCommand } from './commands/demo-command.js';
import { importDicomCommand } from './commands/import-dicom-command.js';
import { filesCommand, selectCommand, studiesCommand, subjectsCommand } from './commands/browse-commands.js';
import { createCommand, projectsCommand, rescanCommand } from './commands/project-commands.js';
import { tagAddCommand, tagRemoveCommand } from './commands/tag-commands.js';
import type { CommandSpec } from './command-spec.js';

/** Every CLI command, in the order `cohort --help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  demoCommand,
  createCommand,
  projectsCommand,
  rescanCommand,
  importDicomCommand,
  subjectsCommand,
  studiesCommand,
  filesCommand,
  selectCommand,
  addCommand,
  tagAddCommand,
  tagRemoveCommand,
];
