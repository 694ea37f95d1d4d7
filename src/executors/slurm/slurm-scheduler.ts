import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CohortError, invalidInput } from '../../errors/cohort-error.js';
import { hasMarker, timedOut } from '../cluster/cluster-task-files.js';
import type { CommandRunner } from '../cluster/command-runner.js';
import { JobRegistry } from '../cluster/job-registry.js';
import type { GridScheduler, SubmitContext } from '../cluster/grid-executor.js';
import type { PlannedJob } from '../cluster/submission-plan.js';
import type { TaskSpec, TaskStatus } from '../executor.js';
import { dependencyValue, escapeOutputPattern, resourceArgs } from './sbatch-args.js';
import { SlurmCommands } from './scheduler-commands.js';
import { jobCountRoom, JobCountThrottle, SLURM_DEFAULT_LIMITS, type SlurmLimits } from './slurm-limits.js';
import { killedForMemory, logDirOfJob, SLURM_JOB_FILES, writeArrayIndex } from './slurm-job-files.js';
import { DEPENDENCY_NEVER_SATISFIED, slurmTaskStatus, type SlurmJob } from './slurm-states.js';

/** From Slurm accepting a suspend to the freezer stopping the job (slurmstepd's SIGTSTP, then 2 s). */
const CGROUP_SUSPEND_MS = 3000;

/** `JOBID` or `JOBID_INDEX`: what this executor hands out. */
const SLURM_ID = /^\d+(_\d+)?$/;

/** What SlurmScheduler needs of SlurmExecutorOptions, resolved. */
export interface SlurmSettings {
  readonly runner: CommandRunner;
  readonly partition: string | undefined;
  readonly extraArgs: readonly string[];
  /** Largest array asked for; the cluster's MaxArraySize caps it. Undefined: the cluster's. */
  readonly maxArray: number | undefined;
  /** Longest wait for room under MaxJobCount (slurm-limits.ts). */
  readonly queueFullWaitMs: number | undefined;
  readonly graceSeconds: number;
  /** Where job records are kept (cluster/job-registry.ts). */
  readonly stateDir: string;
}

/**
 * What is Slurm's in the grid skeleton: sbatch with `--parsable` and the script on stdin, ids `JOBID`
 * and `JOBID_INDEX` (arrays from 0), `--dependency=afterok|afterany|aftercorr`, one `squeue` for all
 * ids, `sacct` for jobs the controller forgot (where the cluster keeps accounting), `scancel`, and
 * `scontrol suspend|resume|hold|release`. Tasks waiting on a dependency that failed are cancelled and
 * reported `dependency failed` (Slurm would keep them pending for ever).
 */
export class SlurmScheduler implements GridScheduler {
  readonly kind = 'slurm';
  readonly commands: CommandRunner;
  readonly graceSeconds: number;
  readonly holdsIgnoreSuccess = false;
  readonly arrayIndex = { variable: 'SLURM_ARRAY_TASK_ID', first: 0 };
  readonly unreachable: TaskStatus = { state: 'unknown' };
  readonly vanished: TaskStatus = {
    state: 'error',
    cause: 'lost',
    reason: 'lost by the scheduler: no record of the job and no exit code',
  };
  readonly wrapper = {};
  private readonly slurm: SlurmCommands;
  private readonly registry: JobRegistry;
  private accountingEnabled = true;
  private cluster: SlurmLimits = {};
  private limitsReadAt = 0;
  private readonly throttle: JobCountThrottle;

  constructor(private readonly settings: SlurmSettings) {
    this.commands = settings.runner;
    this.slurm = new SlurmCommands(settings.runner);
    this.registry = new JobRegistry(settings.stateDir);
    this.throttle = new JobCountThrottle(
      () => this.slurm.jobRecords(),
      settings.queueFullWaitMs === undefined ? {} : { waitMs: settings.queueFullWaitMs },
    );
    this.graceSeconds = settings.graceSeconds;
  }

  /**
   * The largest array the cluster takes (its MaxArraySize, and within MaxJobCount's room: every element
   * counts as a job), or less where the options ask for less.
   */
  get maxArray(): number {
    const cluster = Math.min(
      this.cluster.maxArraySize ?? SLURM_DEFAULT_LIMITS.maxArraySize,
      jobCountRoom(this.cluster.maxJobCount ?? SLURM_DEFAULT_LIMITS.maxJobCount),
    );
    return Math.max(1, Math.min(cluster, this.settings.maxArray ?? cluster));
  }

  /**
   * The cluster's largest array, read (with MaxJobCount and ProctrackType) from `scontrol show config`
   * before each submission: a submission is cut to the cluster's limits, never refused halfway by
   * them. No `jobsAllowed`: where slurmctld is full, submitJob waits for room (slurm-limits.ts).
   */
  async limits(): Promise<{ readonly maxArray: number }> {
    await this.readLimits();
    return { maxArray: this.maxArray };
  }

  /**
   * Reads the limits from the controller (at most once a minute). An unreachable controller keeps what
   * was read (the submit then fails, retryably).
   */
  private async readLimits(): Promise<void> {
    if (Date.now() - this.limitsReadAt < 60_000) return;
    const limits = await this.slurm.limits();
    if (limits === undefined) return;
    this.cluster = limits;
    this.limitsReadAt = Date.now();
  }

  owns(id: string): boolean {
    return SLURM_ID.test(id);
  }

  /**
   * The folder of a job this installation submitted, from the registry: the controller forgets ended
   * jobs after MinJobAge (300 s by default), and a restarted runner must still read their exit records.
   * Jobs of other installations are found from squeue's `--output` while it lists them.
   */
  logDirOf(id: string): string | undefined {
    const [job, index] = id.split('_');
    return job === undefined || !SLURM_ID.test(id)
      ? undefined
      : this.registry.logDirOf(job, Number(index ?? 0));
  }

  /** To the second: the wrapper enforces it; Slurm's `--time`, in whole minutes, is the backstop. */
  limitSeconds(spec: TaskSpec): number | undefined {
    const minutes = spec.resources.timeMinutes;
    return minutes === undefined ? undefined : minutes * 60;
  }

  async submitJob(
    job: PlannedJob,
    specs: readonly TaskSpec[],
    script: string,
    context: SubmitContext,
  ): Promise<string> {
    if (specs.length > 1) writeArrayIndex(specs.map((s) => s.logDir));
    await this.throttle.take(this.cluster.maxJobCount ?? SLURM_DEFAULT_LIMITS.maxJobCount, specs.length);
    const jobId = await this.slurm.sbatch(this.sbatchArgs(job, specs, context), script);
    this.registry.add(jobId, { logDirs: specs.map((s) => s.logDir), submittedAt: Date.now() });
    return jobId;
  }

  memberIds(jobId: string, count: number): string[] {
    return count === 1 ? [jobId] : Array.from({ length: count }, (_, i) => `${jobId}_${i}`);
  }

  async poll(
    ids: readonly string[],
    logDirOf: (id: string) => string | undefined,
  ): Promise<Map<string, TaskStatus> | undefined> {
    const jobs = await this.slurm.squeue(ids).catch(retryableAsUndefined);
    if (jobs === undefined) return undefined;
    const result = new Map<string, TaskStatus>();
    const neverSatisfied: string[] = [];
    for (const job of jobs) {
      result.set(job.id, this.fromJob(job, logDirOf));
      if (job.state === 'PENDING' && job.reason === DEPENDENCY_NEVER_SATISFIED) neverSatisfied.push(job.id);
    }
    // Slurm would keep them pending for ever; cancelled, they keep the reason (and so read the same).
    await this.slurm.scancel(neverSatisfied).catch(() => undefined);
    return result;
  }

  /** sacct, where the cluster keeps accounting; an empty answer where it does not. */
  async accounting(ids: readonly string[]): Promise<Map<string, TaskStatus> | undefined> {
    if (!this.accountingEnabled) return new Map();
    const jobs = await this.slurm.sacct(ids).catch(retryableAsUndefined);
    if (jobs === undefined) return undefined;
    if (jobs === 'disabled') {
      this.accountingEnabled = false;
      return new Map();
    }
    return new Map(jobs.map((job) => [job.id, this.fromJob(job, () => undefined)]));
  }

  async locate(ids: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const job of (await this.slurm.squeue(ids)) ?? []) {
      const logDir = logDirOfJob(job);
      if (logDir !== undefined) found.set(job.id, logDir);
    }
    return found;
  }

  /** Slurm sends SIGTERM, then SIGKILL after the cluster's KillWait. */
  kill(ids: readonly string[]): Promise<void> {
    return this.slurm.scancel(ids);
  }

  /**
   * `scontrol suspend` (SIGSTOP to the job's processes); needs operator rights on most clusters. Slurm
   * reports the job SUSPENDED at once, but slurmstepd first sends SIGTSTP and stops the processes only
   * about 2 s later; with proctrack/cgroup (the freezer) they run until then (measured: 1.5 to 2 s). So
   * there suspend returns only once that has passed: a task reported suspended has stopped.
   */
  async suspend(ids: readonly string[]): Promise<void> {
    await this.readLimits();
    await this.slurm.scontrol('suspend', ids);
    if (ids.length > 0 && this.cluster.cgroupTracking === true) await sleep(CGROUP_SUSPEND_MS);
  }

  resume(ids: readonly string[]): Promise<void> {
    return this.slurm.scontrol('resume', ids);
  }

  /** `scontrol hold`: a pending job stays pending (priority 0) until released. */
  hold(ids: readonly string[]): Promise<void> {
    return this.slurm.scontrol('hold', ids);
  }

  release(ids: readonly string[]): Promise<void> {
    return this.slurm.scontrol('release', ids);
  }

  private fromJob(job: SlurmJob, logDirOf: (id: string) => string | undefined): TaskStatus {
    let logDir: string | undefined | null = null;
    const folder = (): string | undefined =>
      logDir === null ? (logDir = logDirOf(job.id) ?? logDirOfJob(job)) : logDir;
    return slurmTaskStatus(job, {
      cancelledByCohort: () => hasMarker(folder(), 'cancelled'),
      overMemory: () => killedForMemory(job),
      timedOut: () => timedOut(folder()),
    });
  }

  private sbatchArgs(job: PlannedJob, specs: readonly TaskSpec[], context: SubmitContext): string[] {
    const first = specs[0]!;
    const array = specs.length > 1;
    const after = job.after.map(({ kind, target }) => {
      const id = 'task' in target ? context.ids[target.task]! : target.external;
      if (!SLURM_ID.test(id)) {
        throw invalidInput(
          `Task ${first.taskId} depends on '${id}', which is neither a Slurm job id nor a task earlier in this call`,
          'Name a dependency by the id submit returned, or by the taskId of a task before it in the same call',
        );
      }
      return { kind, id };
    });
    const corresponding = job.correspondsTo === undefined ? undefined : context.jobIds[job.correspondsTo];
    const dependency = dependencyValue(after, corresponding);
    // Only the folder is escaped: the file name's `%a` is the element index.
    const output = join(
      escapeOutputPattern(first.logDir),
      array ? SLURM_JOB_FILES.element : SLURM_JOB_FILES.single,
    );
    return [
      `--job-name=${array ? (first.arrayKey ?? first.taskId) : first.taskId}`,
      `--output=${output}`,
      // Not NONE: that makes slurmd load the user's login environment (`su -`), a minute when a profile
      // is slow. The wrapper clears what the job inherits and sets the task's environment itself.
      '--export=ALL',
      // A node failure ends the task with that reason; the engine decides whether to run it again.
      '--no-requeue',
      `--chdir=${first.logDir}`,
      ...(array ? [`--array=0-${specs.length - 1}`] : []),
      ...(dependency === undefined ? [] : [`--dependency=${dependency}`]),
      ...resourceArgs(first.resources, this.settings.partition),
      ...this.settings.extraArgs,
      ...(first.schedulerArgs ?? []),
    ];
  }
}

function retryableAsUndefined(error: unknown): undefined {
  if (error instanceof CohortError && error.retryable) return undefined;
  throw error;
}
