/**
 * The API's shapes, declared once on the server (src/server/api-types.ts) and used here as types only,
 * plus the state and mode lists the UI needs at run time (plain constant modules, no server code).
 */
export type * from '../../../src/server/api-types.js';
export type { TaskState } from '../../../src/runs/task-states.js';
export type {
  ArgType,
  JobArgument,
  OnError,
  Resources,
  ScriptLanguage,
  StudyReference,
} from '../../../src/jobs/job-definition.js';
export type { ArgumentResolution } from '../../../src/batches/batch-resolution.js';
export type { ArgumentRow } from '../../../src/jobs/script-variables.js';
export type { GridCounts } from '../../../src/runs/store/grid-query.js';
export type { RunMode } from '../../../src/runs/run-modes.js';
export type { AutoLogEntry, AutoRule } from '../../../src/auto/auto-store.js';
export type { AutoTrigger } from '../../../src/auto/auto-triggers.js';
export { TASK_STATES, isEnded } from '../../../src/runs/task-states.js';
export { ARG_TYPES, ON_ERROR, SCRIPT_LANGUAGES } from '../../../src/jobs/job-definition.js';
export { RUN_MODES } from '../../../src/runs/run-modes.js';
// Pure functions (type-only imports inside): which types a `$f1`-style name implies.
export { impliedTypes, usesArgument } from '../../../src/jobs/script-variables.js';
