import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';

/**
 * Resolved, frozen configuration. This is the only module that reads `process.env`; everything else
 * receives a `CohortConfig` (tests pass overrides instead of touching the environment).
 */
export interface CohortConfig {
  /** Folder for Cohort's own state. Default `~/.cohort`, env `COHORT_HOME`. */
  readonly home: string;
  /**
   * The folder relative paths of a command line are taken from. Default the process's own; a run's job
   * socket passes its client's (runs/job-socket/), so a job's `cohort add out.nii` means its own file.
   */
  readonly cwd: string;
  /**
   * The user's own predefined jobs (JSON files, subfolders allowed), read beside the bundled library by
   * the CLI, runs and the server alike. Default `<home>/library`, env `COHORT_LIBRARY`.
   */
  readonly libraryDir: string;
  /** SQLite catalog file. Default `<home>/cohort.db`, env `COHORT_DB`. */
  readonly databasePath: string;
  /** Default project name, env `COHORT_PROJECT` (set inside running jobs). */
  readonly project: string | undefined;
  /** Current study `SUBJECT#STUDY`, env `COHORT_STUDY` (set inside running jobs). */
  readonly study: string | undefined;
  /** The running job's item, `PID#SID` or `PID` (`*` for a group-level job), env `COHORT_ITEM`. */
  readonly item: string | undefined;
  /** The running job's task id, env `COHORT_TASK` (`cohort record` notes which task wrote a value). */
  readonly task: number | undefined;
  /**
   * Set inside a running job (env `COHORT_JOB_PROJECT`): the only project the job's CLI may touch.
   */
  readonly jobProject: string | undefined;
  /** How long to wait for a database locked by another process before giving up. Default 15 s. */
  readonly busyTimeoutMs: number;
  /** Threads used to scan folder trees. Default: the number of CPUs, at most 4. */
  readonly scanThreads: number;
  /**
   * The environment jobs start from (PATH, HOME, LANG...), like a scheduler's exported environment,
   * without COHORT_* variables: those are set per task and must not leak from the caller.
   */
  readonly taskEnv: Readonly<Record<string, string>>;
  /**
   * Folders users with the run role may import DICOM from through the web app (server admins: any).
   * Default none, env `COHORT_IMPORT_ROOTS` (absolute paths separated by `:`).
   */
  readonly importRoots: readonly string[];
  /**
   * A notebook server (`cohort debug`, "Debug in Jupyter") stops itself after this long without
   * activity unless asked otherwise. Default 3600 (one hour), env `COHORT_NOTEBOOK_IDLE_MINUTES`.
   */
  readonly notebookIdleSeconds: number;
}

export type ConfigOverrides = Partial<CohortConfig>;

const DEFAULT_BUSY_TIMEOUT_MS = 15_000;
const DEFAULT_NOTEBOOK_IDLE_SECONDS = 3600;
// Scanning is syscall bound; past 4 threads the disk, not the CPU, is the limit.
const MAX_SCAN_THREADS = 4;

export function resolveConfig(
  overrides: ConfigOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
): CohortConfig {
  const cwd = overrides.cwd ?? process.cwd();
  const home = resolve(cwd, overrides.home ?? env.COHORT_HOME ?? join(homedir(), '.cohort'));
  const timeout =
    overrides.busyTimeoutMs ?? numberFromEnv(env.COHORT_DB_TIMEOUT_MS) ?? DEFAULT_BUSY_TIMEOUT_MS;
  return Object.freeze({
    home,
    cwd,
    libraryDir: resolve(cwd, overrides.libraryDir ?? env.COHORT_LIBRARY ?? join(home, 'library')),
    databasePath: resolve(cwd, overrides.databasePath ?? env.COHORT_DB ?? join(home, 'cohort.db')),
    project: overrides.project ?? nonEmpty(env.COHORT_PROJECT),
    study: overrides.study ?? nonEmpty(env.COHORT_STUDY),
    item: overrides.item ?? nonEmpty(env.COHORT_ITEM),
    task: overrides.task ?? numberFromEnv(env.COHORT_TASK),
    jobProject: overrides.jobProject ?? nonEmpty(env.COHORT_JOB_PROJECT),
    busyTimeoutMs: timeout,
    scanThreads: overrides.scanThreads ?? Math.min(MAX_SCAN_THREADS, Math.max(1, availableParallelism())),
    taskEnv: overrides.taskEnv ?? Object.freeze(taskEnvFrom(env)),
    importRoots: Object.freeze(
      overrides.importRoots ??
        (env.COHORT_IMPORT_ROOTS ?? '')
          .split(':')
          .filter((p) => p !== '')
          .map((p) => resolve(cwd, p)),
    ),
    notebookIdleSeconds:
      overrides.notebookIdleSeconds ??
      minutesFromEnv(env.COHORT_NOTEBOOK_IDLE_MINUTES) ??
      DEFAULT_NOTEBOOK_IDLE_SECONDS,
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function numberFromEnv(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

// Fractions allowed (0.5 = 30 s); at least one second, since Jupyter takes whole seconds.
function minutesFromEnv(value: string | undefined): number | undefined {
  const minutes = numberFromEnv(value);
  return minutes === undefined || minutes === 0 ? undefined : Math.max(1, Math.round(minutes * 60));
}

function taskEnvFrom(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] => e[1] !== undefined && !e[0].startsWith('COHORT_'),
    ),
  );
}
