/**
 * The runs module's public surface: what the CLI, the server and benches may import. A run's life:
 * `startRun` (create-run.ts builds its tasks, a RunDriver takes it), a `RunSupervisor` owns and polls
 * it through the `Engine` until every task ended, `planRerun` makes the follow-up of its failures,
 * task actions act on its tasks through their executors, and the stores answer every read.
 */
export { BackgroundRunner, type RunnerTarget } from './background-runner.js';
export { collectGarbage, sweepDaily, type GarbageOptions, type GarbageReport } from './collect-garbage.js';
export { createRun, type CreatedRun, type CreateRunInput } from './create-run.js';
export { Engine, DEFAULT_POLL_MS } from './engine.js';
export type { EngineListener } from './engine-listener.js';
export { issueJobCredential, readJobCredential } from './job-credential.js';
export { planRerun, type RerunPlan, type RerunTasks } from './plan-rerun.js';
export { parseProvenance, type TaskOutput, type TaskProvenance } from './provenance.js';
export { runFile, runFolder, taskFolder, RUN_FILES } from './run-folder.js';
export { RUN_MODES, planUnits, type RunMode } from './run-modes.js';
export { claimRun, openRunnerLog, releaseRun, runnerLogPath, runOwner } from './run-owner.js';
export { RunSupervisor, SUPERVISOR_POLL_MS, type RunDriver } from './run-supervisor.js';
export { DEFAULT_CHUNKING, startRun, type Chunking } from './start-run.js';
export { takeUnfinishedRuns, type UnfinishedRun } from './unfinished-runs.js';
export {
  applyTaskAction,
  EXECUTOR_ACTIONS,
  type ExecutorAction,
  type TaskActionResult,
} from './task-actions.js';
export { cliMainPath, cohortShimDir, launchEnvironment, taskVariables } from './task-environment.js';
export * from './task-states.js';
export {
  gridCounts,
  gridRows,
  gridTotal,
  gridPage,
  taskStateCounts,
  GRID_SORT_KEYS,
  type GridCounts,
  type GridQuery,
  type GridRow,
  type GridSortKey,
} from './store/grid-query.js';
export { runStateCounts, type RunStateCounts } from './store/run-state-counts.js';
export { insertRun, runDefinition, runMode, runOwners } from './store/run-store.js';
export {
  activeCountOfRun,
  activeRunIds,
  activeTasks,
  clearTasks,
  getTask,
  getTaskRow,
  hasActiveTasks,
  tasksChangedSince,
  tasksOfRun,
  TASK_COLUMNS,
  type Task,
  type TaskHead,
  type TaskRow,
} from './store/task-store.js';
export {
  createNotebookRun,
  DEFAULT_IDLE_SECONDS,
  NOTEBOOK_FILE,
  type CreatedNotebookRun,
  type NotebookOf,
  type NotebookRunInput,
} from './notebook/create-notebook-run.js';
export { buildNotebook } from './notebook/build-notebook.js';
export { notebookEnded, notebookUrl } from './notebook/notebook-url.js';
export { saveNotebookJob, type NotebookSave } from './notebook/save-notebook-job.js';
