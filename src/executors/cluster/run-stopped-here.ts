import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProcStat, ticksToEpochMs } from '../proc-stat.js';
import { TASK_FOLDER_FILES } from '../task-folder.js';

/**
 * How far before the wrapper's own start mark (`$EPOCHSECONDS` on its first lines) its process may have
 * started: bash's start on a loaded node. A pid reused by another process since started later.
 */
const START_SLACK_S = 30;

/**
 * Whether every process of a cluster task's run is stopped, where this machine can see them: the
 * wrapper's `run` record (`host pid start`) names its process, and its process group is the job's (SGE
 * and Slurm stop the job by signalling that group). `qstat` says "suspended" as soon as the master has
 * accepted `qmod -sj`, before the execution daemon has stopped anything; under load a check right after
 * still saw the task running (issue 10). Undefined where it cannot tell: no run record yet, or the run's
 * processes are not on this machine (a remote node: the scheduler's word is all there is).
 */
export function runStoppedHere(logDir: string): boolean | undefined {
  let record: string;
  try {
    record = readFileSync(join(logDir, TASK_FOLDER_FILES.run), 'latin1');
  } catch {
    return undefined;
  }
  const [, pidText, startText] = record.trim().split(' ');
  const pid = Number(pidText);
  const start = Number(startText);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isFinite(start)) return undefined;
  const wrapper = readProcStat(pid);
  if (wrapper === undefined) return undefined;
  const startedS = ticksToEpochMs(wrapper.startTicks) / 1000;
  // Not our wrapper: another machine's pid, or one reused here.
  if (startedS > start + 1 || startedS < start - START_SLACK_S) return undefined;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProcStat(Number(name));
    if (stat?.pgrp === wrapper.pgrp && !/[TtZX]/.test(stat.state)) return false;
  }
  return true;
}
