import { addCommand } from './commands/add-command.js';
import { demoCommand } from './commands/demo-command.js';
import { importDicomCommand } from './commands/import-dicom-command.js';
import { filesCommand, selectCommand, studiesCommand, subjectsCommand } from './commands/browse-commands.js';
import { createCommand, projectsCommand, rescanCommand } from './commands/project-commands.js';
import { tagAddCommand, tagRemoveCommand } from './commands/tag-commands.js';
import { exportCommand } from './commands/export-command.js';
import { recordCommand } from './commands/record-command.js';
import {
  batchDeleteCommand,
  batchFavouriteCommand,
  batchListCommand,
  batchSaveCommand,
  batchShowCommand,
} from './commands/batch-commands.js';
import {
  gridClearCommand,
  gridHoldCommand,
  gridKillAllCommand,
  gridKillCommand,
  gridReleaseCommand,
  gridResumeCommand,
  gridSuspendCommand,
} from './commands/grid-action-commands.js';
import { debugCommand, debugSaveCommand } from './commands/debug-commands.js';
import { gcCommand } from './commands/gc-command.js';
import { gridCommand, gridLogCommand, gridShowCommand } from './commands/grid-commands.js';
import { libraryListCommand, libraryShowCommand } from './commands/library-commands.js';
import { previewCommand, rerunCommand, resumeCommand, runCommand } from './commands/run-commands.js';
import {
  queueAddCommand,
  queueDefaultCommand,
  queueListCommand,
  queueRemoveCommand,
} from './commands/queue-commands.js';
import { serveCommand } from './commands/serve-command.js';
import {
  autoAddCommand,
  autoFireCommand,
  autoListCommand,
  autoLogCommand,
  autoRemoveCommand,
} from './commands/auto-commands.js';
import {
  tokenCreateCommand,
  userAddCommand,
  userGrantCommand,
  userListCommand,
  userPasswordCommand,
} from './commands/user-commands.js';
import { TRACTS_COMMANDS } from './commands/tracts-commands.js';
import { qcMosaicCommand } from './commands/qc-commands.js';
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
  recordCommand,
  exportCommand,
  batchSaveCommand,
  batchListCommand,
  batchShowCommand,
  batchDeleteCommand,
  batchFavouriteCommand,
  libraryListCommand,
  libraryShowCommand,
  queueAddCommand,
  queueListCommand,
  queueRemoveCommand,
  queueDefaultCommand,
  autoAddCommand,
  autoListCommand,
  autoRemoveCommand,
  autoLogCommand,
  autoFireCommand,
  previewCommand,
  runCommand,
  rerunCommand,
  resumeCommand,
  gridCommand,
  gridShowCommand,
  debugCommand,
  debugSaveCommand,
  gridLogCommand,
  gridKillCommand,
  gridSuspendCommand,
  gridResumeCommand,
  gridHoldCommand,
  gridReleaseCommand,
  gridKillAllCommand,
  gridClearCommand,
  gcCommand,
  serveCommand,
  userAddCommand,
  userPasswordCommand,
  userListCommand,
  userGrantCommand,
  tokenCreateCommand,
  ...TRACTS_COMMANDS,
  qcMosaicCommand,
];
