import { homedir } from 'node:os';
import { join } from 'node:path';
import { CommandRunner } from '../cluster/command-runner.js';
import { GridExecutor } from '../cluster/grid-executor.js';
import { sgePrograms } from './sge-programs.js';
import { SgeScheduler } from './sge-scheduler.js';

/** SGE's default max_aj_tasks is 75000; smaller arrays keep one qsub's script and qstat output modest. */
export const DEFAULT_MAX_ARRAY_TASKS = 10_000;

/** Between SIGTERM at the time limit and SIGKILL: time to flush and clean up. */
export const DEFAULT_KILL_GRACE_SECONDS = 10;

export interface SgeExecutorOptions {
  /** Queue (`-q`) for tasks whose resources name none. Default: any queue SGE picks. */
  readonly queue?: string;
  /** qsub words added to every submission, e.g. `['-P', 'neuro']`. */
  readonly extraArgs?: readonly string[];
  /** Parallel environment for tasks with cpus > 1 (`-pe NAME N`). Default `smp`. */
  readonly parallelEnvironment?: string;
  /** SIGTERM to SIGKILL at a task's time limit. Default DEFAULT_KILL_GRACE_SECONDS. */
  readonly killGraceSeconds?: number;
  /** Where job records are kept (cluster/job-registry.ts), on the submitting host. Default `~/.cohort/sge`. */
  readonly stateDir?: string;
  /**
   * Environment for the SGE commands on top of this process's (and of the Debian defaults, see
   * sgePrograms), e.g. `{ SGE_CELL: 'other' }`.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Runs (and counts) the commands; pass one to observe them. Default: a new CommandRunner with `env`. */
  readonly runner?: CommandRunner;
  /** Largest array job (SGE's max_aj_tasks caps it further). Default DEFAULT_MAX_ARRAY_TASKS. */
  readonly maxArrayTasks?: number;
  /**
   * How often, at most, a poll also asks which tasks waiting for a dependency are under a hold made
   * outside Cohort (a second qstat). Default DEFAULT_HOLD_CHECK_MS.
   */
  readonly holdCheckMs?: number;
  /**
   * Longest a submit waits for room when the user has max_u_jobs jobs in the system (or everyone
   * max_jobs): it submits what fits, then waits for jobs to leave; past it the call's jobs are deleted
   * and it throws. Default 30 min.
   */
  readonly queueFullWaitMs?: number;
}

/** A hold an administrator puts on a task that waits for its dependency shows within this time. */
export const DEFAULT_HOLD_CHECK_MS = 30_000;

/**
 * Runs tasks on Son of Grid Engine: the grid skeleton (cluster/grid-executor.ts) with what is SGE's
 * (sge-scheduler.ts). Tasks of one submit call become array jobs (`qsub -t 1-N`) where
 * their dependencies allow (planSubmission), chained with `-hold_jid` or, element-wise, `-hold_jid_ad`.
 * Each job runs the task's wrapper (cluster/task-script.ts, shared with Slurm), which writes
 * `stdout.log`, `stderr.log` and the exit record `exit` in its folder. SGE's holds wait for the end
 * of a dependency, not its success: the wrapper checks the exit record of each `ok` dependency and
 * records `dependency failed` instead of running. Executor ids are `JOBID` or `JOBID.TASK`; a poll is
 * one `qstat -xml` for all ids, the exit files of those qstat no longer lists, and one `qacct` for
 * those that ended without one (killed by qdel or a hard limit). Log and working folders must be on a
 * filesystem the execution hosts share.
 *
 * @example
 * const executor = new SgeExecutor({ queue: 'all.q' });
 * const [id] = await executor.submit([{ taskId: 't1', argv: ['echo', 'hi'], env: {}, cwd: '/shared/w',
 *   logDir: '/shared/w/t1', resources: { cpus: 2, timeMinutes: 30 }, after: [] }]);
 * (await executor.status([id!])).get(id!); // { state: 'queued' }
 */
export class SgeExecutor extends GridExecutor {
  constructor(options: SgeExecutorOptions = {}) {
    const programs = sgePrograms();
    super(
      new SgeScheduler({
        runner: options.runner ?? new CommandRunner({ env: { ...programs.env, ...options.env } }),
        path: programs.path,
        stateDir: options.stateDir ?? join(homedir(), '.cohort', 'sge'),
        queue: options.queue,
        parallelEnvironment: options.parallelEnvironment ?? 'smp',
        killGraceSeconds: options.killGraceSeconds ?? DEFAULT_KILL_GRACE_SECONDS,
        extraArgs: options.extraArgs ?? [],
        maxArray: Math.max(1, options.maxArrayTasks ?? DEFAULT_MAX_ARRAY_TASKS),
        holdCheckMs: options.holdCheckMs ?? DEFAULT_HOLD_CHECK_MS,
        queueFullWaitMs: options.queueFullWaitMs,
      }),
    );
  }
}
