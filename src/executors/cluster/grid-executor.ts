import { CohortError, invalidInput } from '../../errors/cohort-error.js';
import type { Executor, TaskSpec, TaskStatus } from '../executor.js';
import type { ExecutorKind } from '../executor-kinds.js';
import { exitStatus } from '../task-folder.js';
import { hasEnded } from '../wait-for.js';
import { batchScript, type ArrayIndex } from './batch-script.js';
import {
  hasMarker,
  prepareClusterArray,
  prepareClusterTask,
  readClusterExit,
  setMarker,
  timedOut,
} from './cluster-task-files.js';
import type { CommandRunner } from './command-runner.js';
import { planSubmission, type PlannedJob } from './submission-plan.js';
import type { TaskScriptOptions } from './task-script.js';
import { validateClusterTask } from './validate-cluster-task.js';

/**
 * How long a job may be gone from the scheduler's list with neither an exit record nor an accounting
 * record before it counts as vanished (an SGE qdel of a pending job leaves no record): covers a slow
 * shared filesystem and the accounting write.
 */
export const VANISHED_GRACE_MS = 5000;

/** What an earlier part of one submit call gave: executor ids by task, job ids by planned job. */
export interface SubmitContext {
  /** Executor ids of the tasks submitted so far in this call, by index. */
  readonly ids: readonly string[];
  /** Job ids of the planned jobs submitted so far, in plan order. */
  readonly jobIds: readonly string[];
  /** The job id of each task submitted so far, by index. */
  readonly jobIdOfTask: readonly string[];
}

/**
 * What differs from one scheduler to the next (Nextflow's grid executors have the same split): its
 * submit command line and job id, its ids, its one status command and parser, its accounting, its kill,
 * suspend and hold commands, and what its jobs' wrapper needs. GridExecutor does the rest.
 */
export interface GridScheduler {
  readonly kind: ExecutorKind;
  /** Every command it runs goes through this runner (counts, listeners). */
  readonly commands: CommandRunner;
  /** Largest array job. */
  readonly maxArray: number;
  /** How its array elements know their index. */
  readonly arrayIndex: ArrayIndex;
  /** SIGTERM to SIGKILL at a task's time limit, in seconds. */
  readonly graceSeconds: number;
  /** Whether its holds wait only for the end of a dependency: then the wrapper checks `ok` ones. */
  readonly holdsIgnoreSuccess: boolean;
  /** The status of an id never seen while the scheduler cannot be reached. */
  readonly unreachable: TaskStatus;
  /** The status of a job gone without any record, after VANISHED_GRACE_MS. */
  readonly vanished: TaskStatus;
  /** Whether `id` is an id this scheduler gives (and, where it keeps a registry, one of ours). */
  owns(id: string): boolean;
  /** The task folder of an id from the scheduler's side (a registry); undefined when it cannot tell. */
  logDirOf(id: string): string | undefined;
  /** Wrapper options beyond the time limit and the `ok` dependency check. */
  readonly wrapper: Omit<TaskScriptOptions, 'limitSeconds' | 'graceSeconds' | 'okDependencyDirs'>;
  /** The time limit in seconds of a task (the scheduler's rounding); undefined for none. */
  limitSeconds(spec: TaskSpec): number | undefined;
  /**
   * Optional: the cluster's own limits, read from it before a submit: the largest array it takes. A
   * limit on jobs is the scheduler's to keep in submitJob, waiting for room (cluster/job-count-throttle.ts).
   */
  limits?(): Promise<{ readonly maxArray?: number }>;
  /** Submits one planned job with its job script (batch-script.ts; its wrapper is written); returns its job id. */
  submitJob(
    job: PlannedJob,
    specs: readonly TaskSpec[],
    script: string,
    context: SubmitContext,
  ): Promise<string>;
  /** The executor ids of the `count` members of job `jobId`. */
  memberIds(jobId: string, count: number): string[];
  /** One status command for all ids: the status of each it lists; undefined when unreachable. */
  poll(
    ids: readonly string[],
    logDirOf: (id: string) => string | undefined,
  ): Promise<Map<string, TaskStatus> | undefined>;
  /** The scheduler's records of jobs it no longer lists; undefined when it could not be asked. */
  accounting(ids: readonly string[]): Promise<Map<string, TaskStatus> | undefined>;
  /** Task folders of ids submitted elsewhere (for the cancel marker). */
  locate(ids: readonly string[]): Promise<Map<string, string>>;
  kill(ids: readonly string[]): Promise<void>;
  suspend(ids: readonly string[]): Promise<void>;
  resume(ids: readonly string[]): Promise<void>;
  hold(ids: readonly string[]): Promise<void>;
  release(ids: readonly string[]): Promise<void>;
}

/**
 * The executor of a cluster: one skeleton for every scheduler. Submit writes each task's wrapper
 * (cluster/task-script.ts) and hands the planned jobs (arrays where dependencies allow, submission-plan.ts)
 * to the scheduler, all or nothing. A poll is one status command for all ids; jobs it no longer lists are
 * told by their exit record, Cohort's cancel marker, the scheduler's accounting, and after a grace as
 * vanished. Ended statuses are final and cached; the last status answers while the scheduler is down.
 */
export class GridExecutor implements Executor {
  readonly kind: ExecutorKind;
  /** Every scheduler command this executor issued (count, counts by program, listeners). */
  readonly commands: CommandRunner;
  /** Task folders of the tasks this instance submitted or located. */
  private readonly logDirs = new Map<string, string>();
  /** Last status of each id: ended ones are final, others answer while the scheduler is unreachable. */
  private readonly last = new Map<string, TaskStatus>();
  /** When an id was first missing from the list without any record of its end. */
  private readonly missingSince = new Map<string, number>();
  private closed = false;

  constructor(private readonly scheduler: GridScheduler) {
    this.kind = scheduler.kind;
    this.commands = scheduler.commands;
  }

  /**
   * Submits all tasks (one submit command per array or single job, one wrapper and one index file per
   * array: no file-system call per task) and returns their ids. Arrays are split at the cluster's own
   * limit; a submission needing more jobs than the cluster accepts now waits for room, job by job (the
   * scheduler's submitJob). When the scheduler refuses one job, or no room comes in time, the jobs this
   * call already submitted are killed and the refusal is thrown.
   */
  async submit(specs: readonly TaskSpec[]): Promise<string[]> {
    if (this.closed) throw new CohortError('NOT_AVAILABLE', 'This executor was closed');
    specs.forEach((spec) => validateClusterTask(spec));
    const limits = (await this.scheduler.limits?.()) ?? {};
    const plan = planSubmission(specs, Math.min(this.scheduler.maxArray, limits.maxArray ?? Infinity));
    const okDirs = this.scheduler.holdsIgnoreSuccess ? this.okDependencyDirs(specs) : [];
    const ids: string[] = new Array<string>(specs.length);
    const jobIdOfTask: string[] = new Array<string>(specs.length);
    const jobIds: string[] = [];
    try {
      for (const job of plan) {
        const members = job.members.map((m) => specs[m]!);
        const wrapper = this.prepare(
          members,
          job.members.map((m) => okDirs[m] ?? []),
        );
        const jobId = await this.scheduler.submitJob(job, members, batchScript(wrapper), {
          ids,
          jobIds,
          jobIdOfTask,
        });
        jobIds.push(jobId);
        const memberIds = this.scheduler.memberIds(jobId, members.length);
        job.members.forEach((m, i) => {
          ids[m] = memberIds[i]!;
          jobIdOfTask[m] = jobId;
          this.logDirs.set(memberIds[i]!, specs[m]!.logDir);
        });
      }
    } catch (error) {
      await this.scheduler.kill(jobIds).catch(() => undefined); // all or nothing: no half-submitted batch
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
      else if (!this.scheduler.owns(id)) result.set(id, { state: 'unknown' });
      else ask.push(id);
    }
    if (ask.length === 0) return result;
    const listed = await this.scheduler.poll(ask, (id) => this.logDirOf(id));
    if (listed === undefined) {
      // The scheduler is down or restarting: jobs go on; say what we knew, ask again next poll.
      for (const id of ask) result.set(id, this.last.get(id) ?? this.scheduler.unreachable);
      return result;
    }
    const gone: string[] = [];
    for (const id of ask) {
      const status = listed.get(id) ?? this.fromFolder(id);
      if (status === undefined) gone.push(id);
      else this.remember(result, id, status);
    }
    if (gone.length > 0) await this.fromAccounting(gone, result);
    return result;
  }

  /** Ends tasks, queued or running. The marker comes first: whoever reads the folder knows it was Cohort. */
  async cancel(ids: readonly string[]): Promise<void> {
    const open = ids.filter(
      (id) => this.scheduler.owns(id) && !hasEnded(this.last.get(id) ?? { state: 'queued' }),
    );
    if (open.length === 0) return;
    const foreign = open.filter((id) => this.logDirOf(id) === undefined);
    if (foreign.length > 0)
      for (const [id, dir] of await this.scheduler.locate(foreign)) this.logDirs.set(id, dir);
    for (const id of open) {
      const logDir = this.logDirOf(id);
      if (logDir !== undefined) setMarker(logDir, 'cancelled', true);
    }
    await this.scheduler.kill(open);
  }

  /** The scheduler stops the job's processes (SIGSTOP); queued tasks are not affected (see `hold`). */
  suspend(ids: readonly string[]): Promise<void> {
    return this.scheduler.suspend(ids.filter((id) => this.scheduler.owns(id)));
  }

  resume(ids: readonly string[]): Promise<void> {
    return this.scheduler.resume(ids.filter((id) => this.scheduler.owns(id)));
  }

  /** A user hold on queued tasks; the `held` marker tells it from a wait for a dependency. */
  async hold(ids: readonly string[]): Promise<void> {
    const ours = ids.filter((id) => this.scheduler.owns(id));
    for (const id of ours) this.marker(id, 'held', true);
    await this.scheduler.hold(ours);
  }

  async release(ids: readonly string[]): Promise<void> {
    const ours = ids.filter((id) => this.scheduler.owns(id));
    await this.scheduler.release(ours);
    for (const id of ours) this.marker(id, 'held', false);
  }

  /** Nothing runs in this process: jobs belong to the cluster. Later submits are refused. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /**
   * Writes a job's wrapper: a task's own, or one for a whole array with its index of tasks (an array's
   * tasks share resources, so its first task's limit is every one's). Returns the wrapper's path.
   */
  private prepare(specs: readonly TaskSpec[], okDependencyDirs: readonly (readonly string[])[]): string {
    const first = specs[0]!;
    const seconds = this.scheduler.limitSeconds(first);
    const options = {
      ...this.scheduler.wrapper,
      ...(seconds === undefined ? {} : { limitSeconds: seconds, graceSeconds: this.scheduler.graceSeconds }),
    };
    if (specs.length > 1)
      return prepareClusterArray(specs, okDependencyDirs, this.scheduler.arrayIndex, options);
    const dirs = okDependencyDirs[0] ?? [];
    return prepareClusterTask(first, {
      ...options,
      ...(dirs.length === 0 ? {} : { okDependencyDirs: dirs }),
    });
  }

  /** Per task, the folders of its `ok` dependencies (their exit records decide whether it runs). */
  private okDependencyDirs(specs: readonly TaskSpec[]): string[][] {
    const earlier = new Map<string, string>();
    return specs.map((spec) => {
      const dirs = spec.after.flatMap((dep) => {
        const dir = earlier.get(dep.id) ?? this.logDirOf(dep.id);
        if (dir === undefined) {
          throw invalidInput(
            `Task ${spec.taskId} depends on '${dep.id}', which this executor never gave`,
            undefined,
            {
              taskId: spec.taskId,
            },
          );
        }
        return dep.kind === 'ok' ? [dir] : [];
      });
      earlier.set(spec.taskId, spec.logDir);
      return dirs;
    });
  }

  /** A job the scheduler no longer lists, from its folder: the wrapper's record, Cohort's cancel. */
  private fromFolder(id: string): TaskStatus | undefined {
    const logDir = this.logDirOf(id);
    if (logDir === undefined) return undefined;
    // A wrapper of an older Cohort left only the marker at a time limit.
    if (timedOut(logDir) && readClusterExit(logDir) === undefined)
      return { state: 'error', cause: 'time-limit', reason: 'time limit' };
    const exit = readClusterExit(logDir);
    if (exit !== undefined) return exitStatus(exit);
    if (hasMarker(logDir, 'cancelled')) return { state: 'killed', cause: 'cancelled', reason: 'killed' };
    return undefined;
  }

  /** Ids gone from the list without a record in their folder: one accounting call for all of them. */
  private async fromAccounting(gone: readonly string[], result: Map<string, TaskStatus>): Promise<void> {
    const records = await this.scheduler.accounting(gone);
    const now = Date.now();
    for (const id of gone) {
      const record = records?.get(id);
      if (record !== undefined) {
        this.remember(result, id, record);
      } else if (this.logDirOf(id) === undefined) {
        result.set(id, { state: 'unknown' }); // submitted elsewhere, and nothing left to tell its end
      } else {
        const since = this.missingSince.get(id) ?? now;
        this.missingSince.set(id, since);
        if (records !== undefined && now - since > VANISHED_GRACE_MS)
          this.remember(result, id, this.scheduler.vanished);
        else result.set(id, this.last.get(id) ?? { state: 'queued' });
      }
    }
  }

  private remember(result: Map<string, TaskStatus>, id: string, status: TaskStatus): void {
    result.set(id, status);
    if (status.state === 'unknown') return;
    this.last.set(id, status);
    if (hasEnded(status)) this.missingSince.delete(id);
  }

  private logDirOf(id: string): string | undefined {
    return this.logDirs.get(id) ?? this.scheduler.logDirOf(id);
  }

  private marker(id: string, marker: 'held', on: boolean): void {
    const logDir = this.logDirOf(id);
    if (logDir !== undefined) setMarker(logDir, marker, on);
  }
}
