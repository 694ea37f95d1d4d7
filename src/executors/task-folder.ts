import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { END_CAUSES, taskEnvironment, type EndCause, type TaskSpec, type TaskStatus } from './executor.js';

/**
 * The task-folder protocol, one for every backend: the names of the files a task's log folder may hold,
 * the exit record's format, and the readers. The folder alone tells any process (a runner started after
 * another died, `cohort grid` in a second shell) what became of a task. Who writes what:
 * - `stdout.log`, `stderr.log`: the task's output (every backend)
 * - `launch`: the task as handed to its wrapper, NUL-terminated data, never shell text (local launchers,
 *   SGE). After its fields the local launchers append the task's state, one line each, so that a task
 *   leaves one file where it left three (inode allocation was the largest cost of a run of short
 *   tasks): `pid <pid> <start ticks> <limit s>` when it started, `exit <exit record>` when it ended.
 *   Each goes out in one write(2) and counts once it ends in its newline (see `parseLaunchRecords`).
 * - `pid`: the same as the `pid` line, in folders of a local launcher before 2026-12-03 (read only)
 * - `started`: `<epoch s>` when a step of a grouped unit started (grouped-unit.ts)
 * - `exit`: the exit record (below), written atomically (tmp file, then rename) when the task ended, by
 *   the cluster wrappers, the unit scripts, and for a local task that never reached its launcher or has
 *   no `launch` (`exit-code`: its name in cluster folders of an older Cohort, still read)
 * - `time-limit`: left by a wrapper that ended the task at its time limit
 * - `cancelled`, `held`: markers written by Cohort (cancel before it signals; hold keeps a queued task)
 * - `task.sh`: the cluster wrapper that ran (kept: it shows exactly what ran); `unit.sh`: a grouped unit's
 *
 * Time limits: the cluster wrappers (cluster/task-script.ts) and the local launchers (libexec/) both
 * send SIGTERM to the task's process group at the limit and SIGKILL a grace later, and exit 124 (137
 * after the KILL) as coreutils `timeout` does. They differ only in where the watchdog lives: locally one
 * launcher process reaps every task (no wrapper process per task), on a cluster the job's own wrapper.
 */
export const TASK_FOLDER_FILES = {
  stdout: 'stdout.log',
  stderr: 'stderr.log',
  launch: 'launch',
  pid: 'pid',
  started: 'started',
  exit: 'exit',
  /** The cluster wrappers' exit record before one name served every backend; read, never written. */
  legacyClusterExit: 'exit-code',
  timeLimit: 'time-limit',
  cancelled: 'cancelled',
  held: 'held',
  /**
   * A cluster wrapper's run (`host pid start`): a job the scheduler started again while its first run
   * still went on (SGE's `qmod -rj`) leaves one exit record, the latest run's.
   */
  run: 'run',
  clusterScript: 'task.sh',
  unitScript: 'unit.sh',
} as const;

/**
 * How a task ended, as its wrapper wrote it: `<code|-> <cause> <host> <start s|-> <end s>\n`, code `-`
 * when it never ran. Example: `3 exit node1 1733212800 1733212805`.
 */
export interface ExitRecord {
  /** Undefined when the task never ran. */
  readonly code: number | undefined;
  readonly cause: EndCause;
  readonly host: string;
  /** Epoch ms; undefined when it never ran. */
  readonly startedAt?: number;
  /** Epoch ms. */
  readonly endedAt: number;
}

/** The one line of an exit record. */
export function formatExitRecord(record: ExitRecord): string {
  const start = record.startedAt === undefined ? '-' : String(Math.floor(record.startedAt / 1000));
  const code = record.code === undefined ? '-' : String(record.code);
  return `${code} ${record.cause} ${record.host} ${start} ${Math.floor(record.endedAt / 1000)}\n`;
}

/**
 * Parses an exit record; undefined while it is incomplete (no final newline). Also reads the records of
 * folders written before this format: `<code|-> <host> <end s>` (local launchers, unit scripts) and
 * `skipped` (a unit's step after its item failed), so runs started by an older Cohort still resolve.
 */
export function parseExitRecord(text: string): ExitRecord | undefined {
  if (!text.endsWith('\n')) return undefined;
  const words = text.trim().split(/\s+/);
  const [code = '-', second, third = '', fourth, fifth] = words;
  const number = (word: string | undefined): number | undefined =>
    word === undefined || word === '-' || !/^-?\d+$/.test(word) ? undefined : Number(word);
  if (code === 'skipped') return { code: undefined, cause: 'dependency-failed', host: '', endedAt: 0 };
  if (second !== undefined && isEndCause(second)) {
    const startedAt = number(fourth);
    return {
      code: number(code),
      cause: second,
      host: third,
      ...(startedAt === undefined ? {} : { startedAt: startedAt * 1000 }),
      endedAt: (number(fifth) ?? 0) * 1000,
    };
  }
  if (second === 'no-folder')
    return { code: number(code), cause: 'could-not-start', host: third, endedAt: 0 };
  // The older three-word record: code, host, end.
  const parsed = number(code);
  return {
    code: parsed,
    cause: parsed === undefined ? 'dependency-failed' : 'exit',
    host: second ?? '',
    endedAt: (number(third) ?? 0) * 1000,
  };
}

function isEndCause(word: string): word is EndCause {
  return (END_CAUSES as readonly string[]).includes(word);
}

/** Writes a task's exit record atomically (readers never see half of it); `name` defaults to `exit`. */
export function writeExitRecord(
  logDir: string,
  record: ExitRecord,
  name: string = TASK_FOLDER_FILES.exit,
): void {
  const file = join(logDir, name);
  writeFileSync(`${file}.tmp`, formatExitRecord(record));
  renameSync(`${file}.tmp`, file);
}

/**
 * The exit record in `logDir` once complete: the `exit` line of `launch` (local launchers), else the file
 * `exit` (or an older cluster wrapper's `exit-code`); `name`: only that file. `launch`: its records when
 * the caller read them already.
 */
export function readExitRecord(
  logDir: string,
  name?: string,
  launch: LaunchRecords | undefined = name === undefined ? readLaunchRecords(logDir) : undefined,
): ExitRecord | undefined {
  if (launch?.exit !== undefined) return launch.exit;
  const names = name === undefined ? [TASK_FOLDER_FILES.exit, TASK_FOLDER_FILES.legacyClusterExit] : [name];
  for (const n of names) {
    const text = readText(join(logDir, n));
    if (text !== undefined) return parseExitRecord(text);
  }
  return undefined;
}

/**
 * Writes the launch record of a task handed to the local launcher: NUL-terminated fields `<launcher pid>
 * <its start ticks>` (so another runner can tell the task is about to start), cwd, argc, argv...,
 * `NAME=value`... . Data, never shell text (libexec/task-launcher.c reads it).
 */
export function writeLaunchRecord(logDir: string, launcher: string, spec: TaskSpec): void {
  const env = Object.entries(taskEnvironment(spec)).map(([name, value]) => `${name}=${value}`);
  const fields = [launcher, spec.cwd, String(spec.argv.length), ...spec.argv, ...env];
  writeFileSync(join(logDir, TASK_FOLDER_FILES.launch), `${fields.join('\0')}\0`);
}

/** The launcher named by a task's launch record: its pid and start ticks, or undefined. */
export function readLaunchOwner(logDir: string): { pid: number; startTicks: string } | undefined {
  return readLaunchRecords(logDir)?.owner;
}

/** The local launcher's record of the task it started: its process (leader of its group) and limit. */
export interface PidRecord {
  readonly pid: number;
  readonly startTicks: string;
  readonly limitSeconds: number;
}

/** What a `launch` file tells: who launches the task, and the state lines its launcher appended. */
export interface LaunchRecords {
  /** The launcher process named by the first field. */
  readonly owner?: { readonly pid: number; readonly startTicks: string };
  /** The task started; `partial` in the instant its line is being written. */
  readonly started?: PidRecord | 'partial';
  /** The task ended (complete records only). */
  readonly exit?: ExitRecord;
}

/**
 * Parses a `launch` file: its NUL-terminated fields, then the launcher's lines after the last NUL
 * (no field holds one, and the launcher appends only after its fields were read). A line counts once
 * it ends in its newline; a started line without it is `partial`.
 */
export function parseLaunchRecords(text: string): LaunchRecords {
  const first = text.indexOf('\0');
  const [ownerPid, ownerTicks] = first < 0 ? [] : text.slice(0, first).split(' ');
  const lines = text.slice(text.lastIndexOf('\0') + 1).split('\n');
  let started: PidRecord | 'partial' | undefined;
  let exit: ExitRecord | undefined;
  lines.forEach((line, i) => {
    const complete = i < lines.length - 1;
    if (line.startsWith('pid ')) {
      const [pid, startTicks, limit] = line.slice(4).split(' ');
      started =
        complete && pid !== undefined && startTicks !== undefined
          ? { pid: Number(pid), startTicks, limitSeconds: Number(limit ?? 0) }
          : 'partial';
    } else if (complete && line.startsWith('exit ')) {
      exit = parseExitRecord(`${line.slice(5)}\n`) ?? exit;
    }
  });
  return {
    ...(ownerPid === undefined || ownerTicks === undefined
      ? {}
      : { owner: { pid: Number(ownerPid), startTicks: ownerTicks } }),
    ...(started === undefined ? {} : { started }),
    ...(exit === undefined ? {} : { exit }),
  };
}

/** The records of `logDir`'s `launch` file; undefined when it has none. */
export function readLaunchRecords(logDir: string): LaunchRecords | undefined {
  const text = readText(join(logDir, TASK_FOLDER_FILES.launch));
  return text === undefined ? undefined : parseLaunchRecords(text);
}

/** A task folder as its files tell it, whatever backend ran the task. */
export type TaskFolder =
  | { readonly kind: 'not-started' }
  | { readonly kind: 'running'; readonly startedAt?: number }
  | { readonly kind: 'ended'; readonly exit: ExitRecord; readonly startedAt?: number };

/**
 * Reads a task's folder: ended when it holds an exit record, running when it holds `started` (a step
 * of a grouped unit) or a `pid` record (the local launcher started it), else not started.
 */
export function readTaskFolder(logDir: string): TaskFolder {
  const launch = readLaunchRecords(logDir);
  const exit = readExitRecord(logDir, undefined, launch);
  const started = readText(join(logDir, TASK_FOLDER_FILES.started));
  const startedAt = started === undefined ? undefined : Number(started.trim()) * 1000;
  const at = startedAt === undefined || Number.isNaN(startedAt) ? {} : { startedAt };
  if (exit !== undefined) return { kind: 'ended', exit, ...at };
  if (
    started !== undefined ||
    launch?.started !== undefined ||
    readText(join(logDir, TASK_FOLDER_FILES.pid)) !== undefined
  )
    return { kind: 'running', ...at };
  return { kind: 'not-started' };
}

/** The status an exit record stands for; `reason` words as every backend gave them before causes. */
export function exitStatus(exit: ExitRecord, startedAt?: number): TaskStatus {
  const times = {
    ...(exit.host === '' ? {} : { host: exit.host }),
    ...((exit.startedAt ?? startedAt) === undefined ? {} : { startedAt: exit.startedAt ?? startedAt }),
    ...(exit.endedAt === 0 ? {} : { endedAt: exit.endedAt }),
  };
  const code = exit.code === undefined ? {} : { exitCode: exit.code };
  const reason = CAUSE_WORDS[exit.cause];
  if (exit.cause === 'exit') {
    return exit.code === 0
      ? { state: 'done', cause: 'exit', exitCode: 0, ...times }
      : { state: 'error', cause: 'exit', ...code, reason: `exit code ${exit.code ?? '-'}`, ...times };
  }
  const state = exit.cause === 'cancelled' || exit.cause === 'cancelled-outside' ? 'killed' : 'error';
  return { state, cause: exit.cause, ...code, reason, ...times };
}

/** The words of `reason` for each cause, where they do not depend on more than the cause. */
export const CAUSE_WORDS: Readonly<Record<EndCause, string>> = {
  exit: 'exit',
  'time-limit': 'time limit',
  'out-of-memory': 'out of memory',
  cancelled: 'killed',
  'cancelled-outside': 'cancelled outside Cohort',
  'dependency-failed': 'dependency failed',
  'could-not-start': 'working folder missing',
  lost: 'lost: no exit status',
  scheduler: 'ended by the scheduler',
};

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
