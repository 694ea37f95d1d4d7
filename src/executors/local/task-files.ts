import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { TaskStatus } from '../executor.js';
import {
  readExitRecord,
  readLaunchRecords,
  TASK_FOLDER_FILES,
  writeExitRecord,
  type ExitRecord,
  type LaunchRecords,
  type PidRecord,
} from '../task-folder.js';
import { liveProcess, ticksToEpochMs } from '../proc-stat.js';
import { taskOutcome } from './task-outcome.js';

/**
 * The files the local executor keeps in a task's log folder (names and the exit record: the task-folder
 * protocol, task-folder.ts); together they are the task's whole state, so any runner (also one started
 * after this one died) can tell what became of it.
 * - `launch`: the task as handed to the launcher, then the launcher's `pid <pid> <start ticks> <limit
 *   s>` line when the task's process started and its `exit <record>` line when it ended
 * - `stdout.log`, `stderr.log`: the task's output, appended
 * - `exit`: the exit record of a task that never reached the launcher (code `-`), or of a folder
 *   written before the records moved into `launch` (so was `pid`)
 * - `time-limit`: the launcher ended it at its time limit
 * - `cancelled`: written before a cancel signals the task (or instead of starting it)
 * - `held`: a queued task must not start until it is removed
 * Markers (`cancelled`, `held`) let another process (`cohort grid kill` in a second shell) act on tasks
 * that still wait in this runner's memory: the runner looks for them every second and before a start.
 * Whoever writes or removes a marker then rewrites `.markers` in the folder above the task's (for the
 * engine, the run's folder), so a runner with a thousand queued tasks reads one small file a second
 * instead of two thousand stats, and looks at the markers only when it changed.
 */
export const TASK_FILES = TASK_FOLDER_FILES;

export type { PidRecord };

/**
 * The task's process (leader of its process group) as its launcher recorded it: the `pid` line of
 * `launch` (or the `pid` file of an older folder); `partial` in the instant it is being written.
 */
export function readPidFile(
  logDir: string,
  launch: LaunchRecords | undefined = readLaunchRecords(logDir),
): PidRecord | 'partial' | undefined {
  if (launch?.started !== undefined) return launch.started;
  const text = readText(join(logDir, TASK_FILES.pid));
  if (text === undefined) return undefined;
  const [pid, startTicks, limit] = text.trim().split(' ');
  if (!text.endsWith('\n') || pid === undefined || startTicks === undefined) return 'partial';
  return { pid: Number(pid), startTicks, limitSeconds: Number(limit ?? 0) };
}

/** The exit record, once complete: the `exit` line of `launch`, else the file `exit`. */
export function readExitFile(
  logDir: string,
  launch: LaunchRecords | undefined = readLaunchRecords(logDir),
): ExitRecord | undefined {
  return launch?.exit ?? readExitRecord(logDir, TASK_FILES.exit);
}

/** Writes `exit` for a task the launcher did not start: it was cancelled, or a dependency failed. */
export function writeUnrunExit(logDir: string, cancelled: boolean, host: string, endedAt: number): void {
  if (readExitFile(logDir) !== undefined) return;
  writeExitRecord(logDir, {
    code: undefined,
    cause: cancelled ? 'cancelled' : 'dependency-failed',
    host,
    endedAt,
  });
}

export function markCancelled(logDir: string): void {
  writeFileSync(join(logDir, TASK_FILES.cancelled), `${new Date().toISOString()}\n`);
  stampMarkers(logDir);
}

export function isCancelled(logDir: string): boolean {
  return existsSync(join(logDir, TASK_FILES.cancelled));
}

export function markHeld(logDir: string, held: boolean): void {
  const file = join(logDir, TASK_FILES.held);
  if (held) writeFileSync(file, `${new Date().toISOString()}\n`);
  else rmSync(file, { force: true });
  stampMarkers(logDir);
}

/** Name of the file beside the task folders that changes with every marker written or removed. */
export const MARKER_STAMP = '.markers';

/**
 * After the marker: a runner that reads the new stamp then finds the marker. A random value, not a
 * time: two writes within one tick of the filesystem's clock must still differ.
 */
function stampMarkers(logDir: string): void {
  writeFileSync(join(dirname(logDir), MARKER_STAMP), `${randomUUID()}\n`);
}

/** The stamp of the task folders under `parent`; undefined while no marker was ever written there. */
export function readMarkerStamp(parent: string): string | undefined {
  try {
    return readFileSync(join(parent, MARKER_STAMP), 'utf8');
  } catch {
    return undefined;
  }
}

export function isHeld(logDir: string): boolean {
  return existsSync(join(logDir, TASK_FILES.held));
}

/** Removes the state files of an earlier run in the same folder (its logs stay and are appended to). */
export function clearStateFiles(logDir: string, present: ReadonlySet<string> = filesIn(logDir)): void {
  const names = [
    TASK_FILES.launch, // its appended records are the earlier run's; the next start writes it anew
    TASK_FILES.pid,
    TASK_FILES.exit,
    `${TASK_FILES.exit}.tmp`,
    TASK_FILES.cancelled,
    TASK_FILES.held,
    TASK_FILES.timeLimit,
  ];
  for (const name of names) {
    if (present.has(name)) rmSync(join(logDir, name), { force: true });
  }
}

/**
 * The names in a task folder (none when it does not exist): one directory read where a submit of a
 * thousand tasks would otherwise stat and unlink five files each.
 */
export function filesIn(logDir: string): ReadonlySet<string> {
  try {
    return new Set(readdirSync(logDir));
  } catch {
    return new Set();
  }
}

/** The names in a folder `openLogFolder` has just made: none, and nothing to clear in it. */
export const NEW_FOLDER: ReadonlySet<string> = new Set();

/**
 * A task's log folder made where it is missing, with one mkdir (its parent, the run's folder, exists
 * for the tasks of a run just created): NEW_FOLDER. Otherwise the names in it, as `filesIn` lists them.
 * A folder made by its run's creation, or used before, costs the mkdir and a directory read; a new one
 * (most) no more than the mkdir, where listing it first and then making it took a failed read and a
 * recursive mkdir.
 */
export function openLogFolder(logDir: string): ReadonlySet<string> {
  try {
    mkdirSync(logDir);
    return NEW_FOLDER;
  } catch (error) {
    // EEXIST: list it. Anything else (no parent, no right): the caller's recursive mkdir says why.
    return (error as NodeJS.ErrnoException).code === 'EEXIST' ? filesIn(logDir) : new Set();
  }
}

/** Whether the folder's files could belong to a task that has not ended (see `statusFromFiles`). */
export function mayBeActive(present: ReadonlySet<string>): boolean {
  return present.has(TASK_FILES.pid) || present.has(TASK_FILES.held) || present.has(TASK_FILES.launch);
}

/**
 * A task's status from its folder alone. `queued` is never on disk (it lives in the queue of the runner
 * that holds it), so a folder with neither `pid` nor `exit` is `unknown`, unless a marker says it was
 * cancelled (it will never start: its runner ends it, or a dead runner's task is not submitted again)
 * or held.
 */
export function statusFromFiles(logDir: string): TaskStatus {
  const launch = readLaunchRecords(logDir);
  const pidRecord = readPidFile(logDir, launch);
  const ended = endedFromFiles(logDir, pidRecord, launch);
  if (ended !== undefined) return ended;
  if (pidRecord === undefined) {
    if (isCancelled(logDir)) return { state: 'killed', cause: 'cancelled', reason: 'killed' };
    if (isHeld(logDir)) return { state: 'held' };
    // Handed to a launcher that is alive: it is about to start (a dead one never will).
    return launcherAlive(launch) ? { state: 'queued' } : { state: 'unknown' };
  }
  if (pidRecord === 'partial') return { state: 'running' };
  const stat = liveProcess(pidRecord.pid, pidRecord.startTicks);
  const startedAt = ticksToEpochMs(pidRecord.startTicks);
  if (stat !== undefined) return { state: stat.state === 'T' ? 'suspended' : 'running', startedAt };
  // The launcher may have recorded the end between our two reads.
  const again = readLaunchRecords(logDir);
  const late = endedFromFiles(logDir, pidRecord, again);
  if (late !== undefined) return late;
  // Ended, but its launcher has not written the exit record yet (it reaps, then writes: on a loaded
  // machine that takes a while): still running for a reader in another process, not lost.
  if (launcherAlive(again)) return { state: 'running', startedAt };
  if (isCancelled(logDir)) return { state: 'killed', cause: 'cancelled', reason: 'killed', startedAt };
  return { state: 'error', cause: 'lost', reason: 'runner lost the task (no exit status)', startedAt };
}

function endedFromFiles(
  logDir: string,
  pidRecord: PidRecord | 'partial' | undefined,
  launch: LaunchRecords | undefined,
): TaskStatus | undefined {
  const exit = readExitFile(logDir, launch);
  if (exit === undefined) return undefined;
  const started = typeof pidRecord === 'object' ? pidRecord : undefined;
  return taskOutcome({
    code: exit.code,
    cancelled: isCancelled(logDir),
    limited: (started?.limitSeconds ?? 0) > 0,
    host: exit.host,
    ...(started === undefined ? {} : { startedAt: ticksToEpochMs(started.startTicks) }),
    endedAt: exit.endedAt,
  });
}

function launcherAlive(launch: LaunchRecords | undefined): boolean {
  const owner = launch?.owner;
  return owner !== undefined && liveProcess(owner.pid, owner.startTicks) !== undefined;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Codes of a write that failed for want of room: the disk (or the quota, or a size limit) is full. */
export const NO_ROOM = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/** Runs a write of a task's folder that may fail because the folder is gone. */
export function tryWrite(write: () => void): void {
  try {
    write();
  } catch {
    // The log folder was removed: the status in memory still holds.
  }
}
