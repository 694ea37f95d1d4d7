import type { TaskStatus } from '../executor.js';
import type { JobRecord } from '../cluster/job-registry.js';
import type { QacctRecord } from './parse-qacct.js';
import type { QstatEntry } from './parse-qstat-xml.js';

/** Reasons in words, declared once. */
export const SGE_REASONS = {
  killed: 'killed',
  deleted: 'cancelled outside Cohort (qdel)',
  timeLimit: 'time limit',
  memory: 'out of memory',
  nodeFailure: 'node failure',
} as const;

/**
 * A job qstat still lists. `h` is both a user hold and a wait for `-hold_jid`: `held` tells (Cohort's
 * marker, or a user or operator hold made outside Cohort), asked only for jobs with an `h`. `E` (error
 * state, e.g. the job could not start) is an end: SGE keeps such a job until someone deletes it, and
 * `qstat -j ID` says why. A job running in a queue instance whose host stopped answering (`u`, after
 * the master's max_unheard) is lost with that host: a node failure, an end.
 */
export function qstatStatus(entry: QstatEntry, held: () => boolean, queueState = ''): TaskStatus {
  const letters = entry.state;
  const host = entry.queue?.split('@')[1];
  if (/[rt]/.test(letters) && queueState.includes('u')) {
    return {
      state: 'error',
      cause: 'scheduler',
      reason: `${SGE_REASONS.nodeFailure}: execution host ${host ?? '?'} stopped answering (${entry.queue ?? '?'} in state ${queueState})`,
      ...(host === undefined ? {} : { host }),
      ...(entry.startedAt === undefined ? {} : { startedAt: entry.startedAt }),
    };
  }
  const running = {
    ...(host === undefined ? {} : { host }),
    ...(entry.startedAt === undefined ? {} : { startedAt: entry.startedAt }),
  };
  if (letters.includes('E')) {
    const id = entry.task === undefined ? entry.job : `${entry.job}.${entry.task}`;
    return { state: 'error', cause: 'scheduler', reason: `SGE error state (${letters}): see qstat -j ${id}` };
  }
  if (/[sST]/.test(letters)) return { state: 'suspended', ...running };
  if (letters.includes('r') || letters.includes('t')) return { state: 'running', ...running };
  if (letters.includes('h') && held()) return { state: 'held' };
  return { state: 'queued' };
}

/**
 * A job that ended without the wrapper's record and without Cohort's `cancelled` marker: SGE killed it
 * (qdel outside Cohort, a hard limit) or the wrapper could not write. `failed` 37 is "killed at h_rt, h_cpu or h_vmem": the run time against the soft
 * limit asked for tells which.
 */
export function accountingStatus(record: QacctRecord, job: JobRecord | null): TaskStatus {
  const times = {
    ...(record.host === undefined ? {} : { host: record.host }),
    ...(record.startedAt === undefined ? {} : { startedAt: record.startedAt }),
    ...(record.endedAt === undefined ? {} : { endedAt: record.endedAt }),
  };
  const exitCode = record.exitStatus;
  if (record.failed === 37) {
    const limit = job?.timeSeconds;
    const timedOut = limit !== undefined && record.wallclock >= limit;
    return timedOut || job?.memoryMB === undefined
      ? { state: 'error', cause: 'time-limit', exitCode, reason: SGE_REASONS.timeLimit, ...times }
      : { state: 'error', cause: 'out-of-memory', exitCode, reason: SGE_REASONS.memory, ...times };
  }
  if (record.failed === 100 && exitCode >= 128) {
    return { state: 'killed', cause: 'cancelled-outside', exitCode, reason: SGE_REASONS.deleted, ...times };
  }
  if (record.failed !== 0) {
    return {
      state: 'error',
      cause: 'scheduler',
      exitCode,
      reason: `SGE failure ${record.failed}: ${record.failedText}`,
      ...times,
    };
  }
  return exitCode === 0
    ? { state: 'done', cause: 'exit', exitCode, ...times }
    : { state: 'error', cause: 'exit', exitCode, reason: `exit code ${exitCode}`, ...times };
}
