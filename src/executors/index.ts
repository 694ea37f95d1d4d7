/**
 * The public surface of executors: what other folders (runs, engine, cli, server, bench) may import.
 * Anything not named here is an executor's internal.
 *
 * - Executor, TaskSpec, TaskStatus, Dependency: the interface every backend implements
 * - EXECUTOR_STATES / ExecutorState, END_CAUSES / EndCause: states and typed end causes (`status.cause`)
 * - EXECUTOR_KINDS / ExecutorKind, ExecutorSet, ExecutorFactory, executorFactory(config)
 * (Tests use memory/memory-executor.ts, an in-memory executor that does not ship in dist/.)
 * - groupedUnitSpec(unit, steps) -> TaskSpec, stepStatus(stepLogDir, unitStatus) -> TaskStatus, StepSpec:
 *   several tasks run in order as one executor task (run modes single, n-units)
 * - task folder protocol: TASK_FOLDER_FILES, readTaskFolder(logDir) ('not-started' | 'running' | 'ended'),
 *   readExitRecord, writeExitRecord, exitStatus; compactTaskFolder(logDir) once a task's end is recorded
 * - task logs: lastErrorLine(logDir) (grid's error column), readIfExists(path, tailBytes?), readFrom(path,
 *   offset) (log follow)
 * - processes: readProcStat(pid), liveProcess(pid, startTicks) (run ownership)
 * - shellQuote(word): POSIX single-quoting for generated scripts
 * - waitFor, waitForFile, hasEnded: polling helpers
 */
export {
  END_CAUSES,
  EXECUTOR_STATES,
  taskEnvironment,
  type Dependency,
  type EndCause,
  type Executor,
  type ExecutorState,
  type TaskSpec,
  type TaskStatus,
} from './executor.js';
export { EXECUTOR_KINDS, type ExecutorKind } from './executor-kinds.js';
export { ExecutorSet, type ExecutorFactory } from './executor-set.js';
export { executorFactory } from './make-executor.js';
export { groupedUnitSpec, stepStatus, type GroupedUnit, type StepSpec } from './grouped-unit.js';
export {
  CAUSE_WORDS,
  TASK_FOLDER_FILES,
  exitStatus,
  readExitRecord,
  readTaskFolder,
  writeExitRecord,
  type ExitRecord,
  type TaskFolder,
} from './task-folder.js';
export { compactTaskFolder } from './compact-task-folder.js';
export { lastErrorLine, readFrom, readIfExists } from './task-logs.js';
export { liveProcess, readProcStat, type ProcStat } from './proc-stat.js';
export { shellQuote } from './shell-quote.js';
export { isolatedArgv, ISOLATION_PROGRAMS, type IsolationMounts } from './isolated-argv.js';
export { hasEnded, waitFor, waitForFile } from './wait-for.js';
