import type { EndCause, TaskStatus } from '../executor.js';

/** Job states squeue and scontrol print (Slurm 22.05 and later), declared once. */
export const SLURM_JOB_STATES = [
  'PENDING',
  'CONFIGURING',
  'RUNNING',
  'COMPLETING',
  'SIGNALING',
  'STAGE_OUT',
  'RESIZING',
  'SUSPENDED',
  'STOPPED',
  'REQUEUED',
  'REQUEUE_FED',
  'REQUEUE_HOLD',
  'RESV_DEL_HOLD',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'BOOT_FAIL',
  'DEADLINE',
  'PREEMPTED',
  'REVOKED',
  'SPECIAL_EXIT',
] as const;
export type SlurmJobState = (typeof SLURM_JOB_STATES)[number];

/** One job (or array element) as the scheduler reports it. */
export interface SlurmJob {
  /** `JOBID` or `JOBID_INDEX`. */
  readonly id: string;
  /** Undefined for a state this code does not know (a newer Slurm): reported as `unknown`. */
  readonly state: SlurmJobState | undefined;
  /** squeue's reason: `Dependency`, `JobHeldUser`, `DependencyNeverSatisfied`, `NonZeroExitCode`... */
  readonly reason: string;
  /** The batch script's wait status (code << 8 | signal), as squeue's `exit_code`. */
  readonly waitStatus: number | undefined;
  readonly host?: string;
  readonly startedAt?: number;
  readonly endedAt?: number;
  /** The job's `--output` pattern (`%a` not yet replaced). */
  readonly stdoutPattern?: string;
}

/** What the scheduler's record cannot say and the task's folder can. */
export interface StatusClues {
  /** Cohort cancelled it (a marker in its log folder), as opposed to an `scancel` from outside. */
  readonly cancelledByCohort: () => boolean;
  /** Slurm's own log of the job says it went over its memory (Slurm without cgroups reports FAILED). */
  readonly overMemory: () => boolean;
  /** The task's wrapper ended it at its time limit (to the second, before Slurm's minute check). */
  readonly timedOut: () => boolean;
}

/**
 * Reasons of a held job: `JobHeldUser`, `JobHeldAdmin`, and, after `scontrol requeuehold`, the text
 * "job requeued in held state" (squeue prints the job's description in place of the reason code).
 */
const HELD_REASON = /^JobHeld|requeued in held state/i;

/** A reason Slurm gives while a job waits for a dependency that can no longer be met. */
export const DEPENDENCY_NEVER_SATISFIED = 'DependencyNeverSatisfied';

/** The executor's view of a Slurm job: state, exit code and the reason in words. */
export function slurmTaskStatus(job: SlurmJob, clues: StatusClues): TaskStatus {
  const ran = job.host === undefined ? {} : { host: job.host, startedAt: job.startedAt };
  const ended = { ...ran, ...(job.endedAt === undefined ? {} : { endedAt: job.endedAt }) };
  const error = (cause: EndCause, reason: string, exitCode?: number): TaskStatus => ({
    state: 'error',
    cause,
    reason,
    ...(exitCode === undefined ? {} : { exitCode }),
    ...ended,
  });
  if (job.state === undefined) return { state: 'unknown' };
  switch (job.state) {
    case 'PENDING':
    case 'REQUEUED':
    case 'REQUEUE_FED':
      if (job.reason === DEPENDENCY_NEVER_SATISFIED) return error('dependency-failed', 'dependency failed');
      return { state: HELD_REASON.test(job.reason) ? 'held' : 'queued' };
    case 'CONFIGURING': // nodes are being readied; the task has not started
      return { state: 'queued' };
    case 'REQUEUE_HOLD':
    case 'RESV_DEL_HOLD':
      return { state: 'held' };
    case 'RUNNING':
    case 'COMPLETING': // ended, epilog still running: the final state follows within seconds
    case 'SIGNALING':
    case 'STAGE_OUT':
    case 'RESIZING':
      return { state: 'running', ...ran };
    case 'SUSPENDED':
    case 'STOPPED':
      return { state: 'suspended', ...ran };
    case 'COMPLETED':
      return { state: 'done', cause: 'exit', exitCode: 0, ...ended };
    case 'FAILED':
      return failed(job, clues, error);
    case 'CANCELLED':
      if (job.reason === DEPENDENCY_NEVER_SATISFIED) return error('dependency-failed', 'dependency failed');
      return clues.cancelledByCohort()
        ? { state: 'killed', cause: 'cancelled', reason: 'killed', ...ended }
        : {
            state: 'killed',
            cause: 'cancelled-outside',
            reason: 'cancelled outside Cohort (scancel)',
            ...ended,
          };
    case 'TIMEOUT':
      return error('time-limit', 'time limit');
    case 'DEADLINE':
      return error('scheduler', 'deadline passed (--deadline)');
    case 'OUT_OF_MEMORY':
      return error('out-of-memory', 'out of memory');
    case 'NODE_FAIL':
    case 'BOOT_FAIL':
      return error('scheduler', 'node failure');
    case 'PREEMPTED':
      return error('scheduler', 'preempted by the scheduler');
    case 'REVOKED':
      return { state: 'killed', cause: 'scheduler', reason: 'revoked (ran on another cluster)', ...ended };
    case 'SPECIAL_EXIT':
      return error('scheduler', 'special exit (requeued and held by the scheduler)');
  }
}

function failed(
  job: SlurmJob,
  clues: StatusClues,
  error: (cause: EndCause, reason: string, exitCode?: number) => TaskStatus,
): TaskStatus {
  if (clues.timedOut()) return error('time-limit', 'time limit');
  const wait = job.waitStatus ?? 0;
  const signal = wait & 0x7f;
  const code = (wait >> 8) & 0xff;
  // Without cgroups Slurm's memory enforcement kills the job (SIGKILL) and calls it a launch failure.
  if (signal === 9 && clues.overMemory()) return error('out-of-memory', 'out of memory');
  if (signal !== 0) return error('scheduler', `killed by signal ${signal}`);
  if (code !== 0) return error('exit', `exit code ${code}`, code);
  return job.reason === 'JobLaunchFailure'
    ? error('could-not-start', 'the job could not be started')
    : error('scheduler', `failed (${job.reason})`);
}

/** Whether `name` is one of SLURM_JOB_STATES. */
export function isSlurmJobState(name: string): name is SlurmJobState {
  return (SLURM_JOB_STATES as readonly string[]).includes(name);
}
