import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { runFile, runFolder } from './run-folder.js';
import { liveProcess, readProcStat } from '../executors/index.js';

/**
 * Which process runs a run's local tasks. Queued local tasks live in that runner's memory, so a second
 * runner resuming the same run would start them twice: `runner` in the run's folder (`<pid> <start
 * ticks>`) names the owner while it lives. Returns the pid of another live owner, or undefined when
 * this process (or `pid`, a runner it just started) now owns the run.
 */
export function claimRun(runsDir: string, runId: number, pid = process.pid): number | undefined {
  mkdirSync(runFolder(runsDir, runId), { recursive: true, mode: 0o700 });
  const file = runFile(runsDir, runId, 'runner');
  const owner = liveOwner(file);
  if (owner !== undefined && owner !== pid) return owner;
  const stat = readProcStat(pid);
  writeFileSync(file, `${pid} ${stat?.startTicks ?? 0}\n`);
  return undefined;
}

/** The pid of the live process that owns the run, if any. */
export function runOwner(runsDir: string, runId: number): number | undefined {
  return liveOwner(runFile(runsDir, runId, 'runner'));
}

/** Gives a run up (its tasks ended, or this runner stops watching). */
export function releaseRun(runsDir: string, runId: number): void {
  const file = runFile(runsDir, runId, 'runner');
  if (liveOwner(file) === process.pid) rmSync(file, { force: true });
}

function liveOwner(file: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const [pid, ticks] = text.trim().split(' ');
  if (pid === undefined || ticks === undefined) return undefined;
  return liveProcess(Number(pid), ticks) === undefined ? undefined : Number(pid);
}

/** Where a background runner writes what it prints. */
export function runnerLogPath(runsDir: string, runId: number): string {
  return runFile(runsDir, runId, 'runnerLog');
}

/** Opens the runner log for appending; the caller passes the descriptor to the child and closes it. */
export function openRunnerLog(runsDir: string, runId: number): number {
  mkdirSync(runFolder(runsDir, runId), { recursive: true, mode: 0o700 });
  return openSync(runnerLogPath(runsDir, runId), 'a');
}
