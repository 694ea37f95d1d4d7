import { homedir } from 'node:os';
import { join } from 'node:path';
import { CommandRunner } from '../cluster/command-runner.js';
import { GridExecutor } from '../cluster/grid-executor.js';
import { SlurmScheduler } from './slurm-scheduler.js';

/** As the local executor: time for a tool to flush its files, short enough to free the slot soon. */
export const DEFAULT_KILL_GRACE_MS = 10_000;

export interface SlurmExecutorOptions {
  /** Partition for tasks whose resources name no queue. Default: the cluster's default partition. */
  readonly partition?: string;
  /** sbatch words added to every submission, e.g. `['--account=neuro', '--qos=short']`. */
  readonly extraArgs?: readonly string[];
  /** Environment for the Slurm commands on top of this process's, e.g. `{ SLURM_CONF: path }`. */
  readonly env?: Readonly<Record<string, string>>;
  /** Runs (and counts) the commands; pass one to observe them. Default: a new CommandRunner with `env`. */
  readonly runner?: CommandRunner;
  /**
   * Largest array job submitted. Default and upper bound: the cluster's MaxArraySize (read with
   * `scontrol show config`); larger groups are split.
   */
  readonly maxArrayElements?: number;
  /**
   * Longest a submit waits for room when slurmctld holds MaxJobCount jobs (it submits what fits, then
   * waits for ended jobs to leave); past it the call's jobs are cancelled and it throws. Default 30 min.
   */
  readonly queueFullWaitMs?: number;
  /**
   * From SIGTERM to SIGKILL when a task reaches its time limit (the wrapper enforces limits to the
   * second; Slurm's --time, rounded up to whole minutes, stays as a backstop). Cancels use the
   * cluster's KillWait instead. Default DEFAULT_KILL_GRACE_MS.
   */
  readonly killGraceMs?: number;
  /** Where job records are kept (cluster/job-registry.ts), on the submitting host. Default `~/.cohort/slurm`. */
  readonly stateDir?: string;
}

/**
 * Runs tasks on a Slurm cluster: the grid skeleton (cluster/grid-executor.ts) with what is Slurm's
 * (slurm-scheduler.ts). Each task gets a wrapper script in its log folder (its argv and
 * environment as quoted words; it writes stdout.log, stderr.log and its exit record there); tasks of one submit
 * call become job arrays where their dependencies allow (submission-plan.ts), chained with
 * `--dependency=afterok|afterany|aftercorr`. Executor ids are `JOBID` or `JOBID_INDEX`, so any instance
 * (after a restart) reports them: a poll is one `squeue` for all ids, plus one `sacct` for those the
 * controller has forgotten where the cluster keeps accounting, and the tasks' exit records last.
 * Tasks waiting on a dependency that failed are cancelled and reported `dependency failed`. Log folders
 * and working folders must be on a filesystem the compute nodes share.
 *
 * @example
 * const executor = new SlurmExecutor({ partition: 'long', extraArgs: ['--account=neuro'] });
 * const [id] = await executor.submit([{ taskId: 't1', argv: ['echo', 'hi'], env: {}, cwd: '/shared/w',
 *   logDir: '/shared/w/t1', resources: { cpus: 2, timeMinutes: 30 }, after: [] }]);
 * (await executor.status([id!])).get(id!); // { state: 'queued' }
 */
export class SlurmExecutor extends GridExecutor {
  constructor(options: SlurmExecutorOptions = {}) {
    super(
      new SlurmScheduler({
        runner: options.runner ?? new CommandRunner(options.env === undefined ? {} : { env: options.env }),
        partition: options.partition,
        extraArgs: options.extraArgs ?? [],
        maxArray: options.maxArrayElements,
        queueFullWaitMs: options.queueFullWaitMs,
        graceSeconds: (options.killGraceMs ?? DEFAULT_KILL_GRACE_MS) / 1000,
        stateDir: options.stateDir ?? join(homedir(), '.cohort', 'slurm'),
      }),
    );
  }
}
