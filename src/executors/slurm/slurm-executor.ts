import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CohortError, invalidInput } from '../../errors/cohort-error.js';
import { CommandRunner } from '../cluster/command-runner.js';
import { CLUSTER_TASK_FILES, taskScript } from '../cluster/task-script.js';
import { validateClusterTask } from '../cluster/validate-cluster-task.js';
import type { Executor, TaskSpec, TaskStatus } from '../executor.js';
import { hasEnded } from '../wait-for.js';
import { batchScript } from './sbatch-script.js';
import { dependencyValue, escapeOutputPattern, resourceArgs } from './sbatch-args.js';
import { SlurmCommands } from './scheduler-commands.js';
import {
  cancelledByCohort,
  killedForMemory,
  logDirOfJob,
  readTaskExitCode,
  SLURM_JOB_FILES,
  timedOut,
  writeArrayIndex,
} from './slurm-job-files.js';
import { DEPENDENCY_NEVER_SATISFIED, slurmTaskStatus, type SlurmJob } from './slurm-states.js';
import { planSubmission, type PlannedJob } from '../cluster/submission-plan.js';

/** `JOBID` or `JOBID_INDEX`: what this executor hands out. */
const SLURM_ID = /^\d+(_\d+)?$/;

/** As the local executor: time for a tool to flush its files, short enough to free the slot soon. */
export const DEFAULT_KILL_GRACE_MS = 10_000;

/** Slurm's default MaxArraySize is 1001 (indexes 0-1000): larger groups are split. */
export const DEFAULT_MAX_ARRAY_ELEMENTS = 1000;

export interface SlurmExecutorOptions {
  /** Partition for tasks whose resources name no queue. Default: the cluster's default partition. */
  readonly partition?: string;
  /** sbatch words added to every submission, e.g. `['--account=neuro', '--qos=short']`. */
  readonly extraArgs?: readonly string[];
  /** Environment for the Slurm commands on top of this process's, e.g. `{ SLURM_CONF: path }`. */
  readonly env?: Readonly<Record<string, string>>;
  /** Runs (and counts) the commands; pass one to observe them. Default: a new CommandRunner with `env`. */
  readonly runner?: CommandRunner;
  /** Largest array job submitted. Default DEFAULT_MAX_ARRAY_ELEMENTS. */
  readonly maxArrayElements?: number;
  /**
   * From SIGTERM to SIGKILL when a task reaches its time limit (the wrapper enforces limits to the
   * second; Slurm's --time, rounded up to whole minutes, stays as a backstop). Cancels use the
   * cluster's KillWait instead. Default DEFAULT_KILL_GRACE_MS.
   */
  readonly killGraceMs?: number;
}

/**
 * Runs tasks on a Slurm cluster. Each task gets a wrapper script in its log folder (its argv and
 * environment as quoted words; it writes stdout.log, stderr.log and exit-code there); tasks of one submit
 * call become job arrays where their dependencies allow (submission-plan.ts), chained with
 * `--dependency=afterok|afterany|aftercorr`. Executor ids are `JOBID` or `JOBID_INDEX`, so any instance
 * (after a restart) reports them: a poll is one `squeue` for all ids, plus one `sacct` for those the
 * controller has forgotten where the cluster keeps accounting, and the tasks' exit-code files last.
 * Tasks waiting on a dependency that failed are cancelled and reported `dependency failed`. Log folders
 * and working folders must be on a filesystem the compute nodes share.
 *
 * @example
 * const executor = new SlurmExecutor({ partition: 'long', extraArgs: ['--account=neuro'] });
 * const [id] = await executor.submit([{ taskId: 't1', argv: ['echo', 'hi'], env: {}, cwd: '/shared/w',
 *   logDir: '/shared/w/t1', resources: { cpus: 2, timeMinutes: 30 }, after: [] }]);
 * (await executor.status([id!])).get(id!); // { state: 'queued' }
 */
export class SlurmExecutor implements Executor {
  readonly kind = 'slurm';
  /** Every scheduler command this executor issued (count, counts by program, listeners). */
  readonly commands: CommandRunner;
  private readonly slurm: SlurmCommands;
  private readonly partition: string | undefined;
  private readonly extraArgs: readonly string[];
  private readonly maxArray: number;
  private readonly graceMs: number;
  /** Log folders of the tasks this instance submitted (others are found from squeue's `--output`). */
  private readonly logDirs = new Map<string, string>();
  /** Last status of each id: ended ones are final, others answer while the controller is unreachable. */
  private readonly last = new Map<string, TaskStatus>();
  private accounting = true;
  private closed = false;

  constructor(options: SlurmExecutorOptions = {}) {
    this.commands =
      options.runner ?? new CommandRunner(options.env === undefined ? {} : { env: options.env });
    this.slurm = new SlurmCommands(this.commands);
    this.partition = options.partition;
    this.extraArgs = options.extraArgs ?? [];
    this.maxArray = Math.max(1, options.maxArrayElements ?? DEFAULT_MAX_ARRAY_ELEMENTS);
    this.graceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  }

  /**
   * Submits all tasks (one sbatch per array or single job) and returns their ids. When sbatch refuses
   * one, the jobs this call already submitted are cancelled and the refusal is thrown (a CohortError
   * naming the cause: a bad partition, resources the cluster cannot give).
   */
  async submit(specs: readonly TaskSpec[]): Promise<string[]> {
    if (this.closed) throw new CohortError('NOT_AVAILABLE', 'This executor was closed');
    for (const spec of specs) this.prepare(spec);
    const plan = planSubmission(specs, this.maxArray);
    const ids = new Array<string>(specs.length);
    const jobIds: string[] = [];
    try {
      for (const job of plan) {
        const jobId = await this.slurm.sbatch(
          this.sbatchArgs(job, specs, ids, jobIds),
          this.script(job, specs),
        );
        jobIds.push(jobId);
        job.members.forEach((m, i) => {
          const id = job.members.length > 1 ? `${jobId}_${i}` : jobId;
          ids[m] = id;
          this.logDirs.set(id, specs[m]!.logDir);
        });
      }
    } catch (error) {
      await this.slurm.scancel(jobIds).catch(() => undefined); // all or nothing: no half-submitted batch
      throw error;
    }
    return ids;
  }

  async status(ids: readonly string[]): Promise<Map<string, TaskStatus>> {
    const result = new Map<string, TaskStatus>();
    const ask: string[] = [];
    for (const id of ids) {
      const known = this.last.get(id);
      if (known !== undefined && hasEnded(known)) result.set(id, known);
      else if (!SLURM_ID.test(id)) result.set(id, { state: 'unknown' });
      else ask.push(id);
    }
    if (ask.length === 0) return result;
    const listed = await this.query(ask);
    if (listed === undefined) {
      // The controller is down or restarting: jobs go on; say what we knew, ask again next poll.
      for (const id of ask) result.set(id, this.last.get(id) ?? { state: 'unknown' });
      return result;
    }
    const neverSatisfied: string[] = [];
    for (const id of ask) {
      const job = listed.get(id);
      const status = job === undefined ? this.fromFiles(id) : this.fromJob(job);
      if (job?.state === 'PENDING' && job.reason === DEPENDENCY_NEVER_SATISFIED) neverSatisfied.push(id);
      if (status.state !== 'unknown') this.last.set(id, status);
      result.set(id, status);
    }
    // Slurm would keep them pending for ever; cancelled, they keep the reason (and so read the same).
    await this.slurm.scancel(neverSatisfied).catch(() => undefined);
    return result;
  }

  /** Ends tasks, queued or running: Slurm sends SIGTERM, then SIGKILL after the cluster's KillWait. */
  async cancel(ids: readonly string[]): Promise<void> {
    const open = ids.filter(
      (id) => SLURM_ID.test(id) && !hasEnded(this.last.get(id) ?? { state: 'unknown' }),
    );
    if (open.length === 0) return;
    const foreign = open.filter((id) => !this.logDirs.has(id));
    if (foreign.length > 0) {
      for (const job of (await this.slurm.squeue(foreign)) ?? []) {
        const logDir = logDirOfJob(job);
        if (logDir !== undefined) this.logDirs.set(job.id, logDir);
      }
    }
    for (const id of open) {
      const logDir = this.logDirs.get(id);
      if (logDir !== undefined) tryWrite(join(logDir, SLURM_JOB_FILES.cancelled));
    }
    await this.slurm.scancel(open);
  }

  /** `scontrol suspend` (SIGSTOP to the job's processes); needs operator rights on most clusters. */
  suspend(ids: readonly string[]): Promise<void> {
    return this.slurm.scontrol(
      'suspend',
      ids.filter((id) => SLURM_ID.test(id)),
    );
  }

  resume(ids: readonly string[]): Promise<void> {
    return this.slurm.scontrol(
      'resume',
      ids.filter((id) => SLURM_ID.test(id)),
    );
  }

  /** `scontrol hold`: a pending job stays pending (priority 0) until released. */
  hold(ids: readonly string[]): Promise<void> {
    return this.slurm.scontrol(
      'hold',
      ids.filter((id) => SLURM_ID.test(id)),
    );
  }

  release(ids: readonly string[]): Promise<void> {
    return this.slurm.scontrol(
      'release',
      ids.filter((id) => SLURM_ID.test(id)),
    );
  }

  /** Nothing to release: jobs belong to the cluster. Later submits are refused. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private prepare(spec: TaskSpec): void {
    validateClusterTask(spec);
    mkdirSync(spec.logDir, { recursive: true });
    // A folder used before: its old exit code or cancel marker must not speak for this run.
    for (const name of [
      CLUSTER_TASK_FILES.exitCode,
      CLUSTER_TASK_FILES.timeLimit,
      SLURM_JOB_FILES.cancelled,
    ]) {
      rmSync(join(spec.logDir, name), { force: true });
    }
    const minutes = spec.resources.timeMinutes;
    const limit =
      minutes === undefined ? {} : { limitSeconds: minutes * 60, graceSeconds: this.graceMs / 1000 };
    writeFileSync(join(spec.logDir, CLUSTER_TASK_FILES.script), taskScript(spec, limit), { mode: 0o755 });
  }

  private script(job: PlannedJob, specs: readonly TaskSpec[]): string {
    const members = job.members.map((m) => specs[m]!);
    if (members.length > 1) writeArrayIndex(members.map((s) => s.logDir));
    return batchScript(members.map((s) => join(s.logDir, CLUSTER_TASK_FILES.script)));
  }

  private sbatchArgs(job: PlannedJob, specs: readonly TaskSpec[], ids: string[], jobIds: string[]): string[] {
    const first = specs[job.members[0]!]!;
    const array = job.members.length > 1;
    const after = job.after.map(({ kind, target }) => {
      const id = 'task' in target ? ids[target.task]! : target.external;
      if (!SLURM_ID.test(id)) {
        throw invalidInput(
          `Task ${first.taskId} depends on '${id}', which is neither a Slurm job id nor a task earlier in this call`,
          'Name a dependency by the id submit returned, or by the taskId of a task before it in the same call',
        );
      }
      return { kind, id };
    });
    const dependency = dependencyValue(
      after,
      job.correspondsTo === undefined ? undefined : jobIds[job.correspondsTo],
    );
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
      ...(array ? [`--array=0-${job.members.length - 1}`] : []),
      ...(dependency === undefined ? [] : [`--dependency=${dependency}`]),
      ...resourceArgs(first.resources, this.partition),
      ...this.extraArgs,
      ...(first.schedulerArgs ?? []),
    ];
  }

  /** squeue for all ids, then sacct for those it no longer lists; undefined when unreachable. */
  private async query(ids: readonly string[]): Promise<Map<string, SlurmJob> | undefined> {
    const jobs = await this.slurm.squeue(ids).catch(retryableAsUndefined);
    if (jobs === undefined) return undefined;
    const listed = new Map(jobs.map((job) => [job.id, job]));
    const missing = ids.filter((id) => !listed.has(id));
    if (missing.length > 0 && this.accounting) {
      const accounted = await this.slurm.sacct(missing).catch(retryableAsUndefined);
      if (accounted === 'disabled') this.accounting = false;
      else for (const job of accounted ?? []) listed.set(job.id, job);
    }
    return listed;
  }

  private fromJob(job: SlurmJob): TaskStatus {
    let logDir: string | undefined | null = null;
    const folder = (): string | undefined =>
      logDir === null ? (logDir = this.logDirs.get(job.id) ?? logDirOfJob(job)) : logDir;
    return slurmTaskStatus(job, {
      cancelledByCohort: () => cancelledByCohort(folder()),
      overMemory: () => killedForMemory(job),
      timedOut: () => timedOut(folder()),
    });
  }

  /** A job the scheduler no longer lists: its exit-code file, if this instance knows its folder. */
  private fromFiles(id: string): TaskStatus {
    const logDir = this.logDirs.get(id);
    if (logDir === undefined) return { state: 'unknown' };
    if (timedOut(logDir)) return { state: 'error', cause: 'time-limit', reason: 'time limit' };
    const code = readTaskExitCode(logDir);
    if (code === 0) return { state: 'done', cause: 'exit', exitCode: 0 };
    if (code !== undefined)
      return { state: 'error', cause: 'exit', exitCode: code, reason: `exit code ${code}` };
    return {
      state: 'error',
      cause: 'lost',
      reason: 'lost by the scheduler: no record of the job and no exit code',
    };
  }
}

function retryableAsUndefined(error: unknown): undefined {
  if (error instanceof CohortError && error.retryable) return undefined;
  throw error;
}

function tryWrite(path: string): void {
  try {
    writeFileSync(path, '');
  } catch {
    // The log folder is gone: the reason then reads `cancelled outside Cohort`, the state is the same.
  }
}
