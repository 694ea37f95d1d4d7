import { homedir } from 'node:os';
import { join } from 'node:path';
import { CohortError, invalidInput } from '../../errors/cohort-error.js';
import { CommandRunner } from '../cluster/command-runner.js';
import { validateClusterTask } from '../cluster/validate-cluster-task.js';
import type { Executor, TaskSpec, TaskStatus } from '../executor.js';
import { planSubmission } from '../cluster/submission-plan.js';
import { hasEnded } from '../wait-for.js';
import { jobScript } from './job-script.js';
import { JobRegistry, parseSgeId, type SgeId } from './job-registry.js';
import { jobArgs, timeSeconds } from './qsub-args.js';
import { SgeCommands } from './sge-commands.js';
import { sgePrograms } from './sge-programs.js';
import { hasMarker, readWrapperExit, setMarker, writeLaunchFile } from './sge-job-files.js';
import { accountingStatus, qstatStatus, SGE_REASONS, wrapperStatus } from './sge-states.js';

/** SGE's default max_aj_tasks is 75000; smaller arrays keep one qsub's script and qstat output modest. */
export const DEFAULT_MAX_ARRAY_TASKS = 10_000;

/** Between SIGTERM at the time limit and SIGKILL: time to flush and clean up. */
export const DEFAULT_KILL_GRACE_SECONDS = 10;

/**
 * How long a job may be gone from qstat with neither an exit file nor an accounting record before it
 * counts as deleted outside Cohort (qdel of a pending job leaves no record): covers a slow shared
 * filesystem and the accounting write.
 */
const VANISHED_GRACE_MS = 5000;

export interface SgeExecutorOptions {
  /** Queue (`-q`) for tasks whose resources name none. Default: any queue SGE picks. */
  readonly queue?: string;
  /** qsub words added to every submission, e.g. `['-P', 'neuro']`. */
  readonly extraArgs?: readonly string[];
  /** Parallel environment for tasks with cpus > 1 (`-pe NAME N`). Default `smp`. */
  readonly parallelEnvironment?: string;
  /** SIGTERM to SIGKILL at a task's time limit. Default DEFAULT_KILL_GRACE_SECONDS. */
  readonly killGraceSeconds?: number;
  /** Where job records are kept (job-registry.ts), on the submitting host. Default `~/.cohort/sge`. */
  readonly stateDir?: string;
  /**
   * Environment for the SGE commands on top of this process's (and of the Debian defaults, see
   * sgePrograms), e.g. `{ SGE_CELL: 'other' }`.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Runs (and counts) the commands; pass one to observe them. Default: a new CommandRunner with `env`. */
  readonly runner?: CommandRunner;
  /** Largest array job. Default DEFAULT_MAX_ARRAY_TASKS. */
  readonly maxArrayTasks?: number;
}

/**
 * Runs tasks on Son of Grid Engine. Tasks of one submit call become array jobs (`qsub -t 1-N`) where
 * their dependencies allow (planSubmission), chained with `-hold_jid` or, element-wise, `-hold_jid_ad`.
 * Each job runs a generated wrapper (job-script.ts) that reads its task from the `launch` file in the
 * log folder and writes `stdout.log`, `stderr.log` and `exit-code` there. SGE's holds wait for the end
 * of a dependency, not its success: the wrapper checks the `exit-code` of each `ok` dependency and
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
export class SgeExecutor implements Executor {
  readonly kind = 'sge';
  /** Every scheduler command this executor issued (count, counts by program, listeners). */
  readonly commands: CommandRunner;
  private readonly sge: SgeCommands;
  private readonly registry: JobRegistry;
  private readonly options: Required<Pick<SgeExecutorOptions, 'parallelEnvironment' | 'killGraceSeconds'>> &
    SgeExecutorOptions;
  private readonly maxArray: number;
  /** Last status of each id: ended ones are final, others answer while the master is unreachable. */
  private readonly last = new Map<string, TaskStatus>();
  /** When an id was first missing from qstat without any record of its end. */
  private readonly missingSince = new Map<string, number>();
  private closed = false;

  constructor(options: SgeExecutorOptions = {}) {
    const programs = sgePrograms();
    this.commands = options.runner ?? new CommandRunner({ env: { ...programs.env, ...options.env } });
    this.sge = new SgeCommands(this.commands, programs.path);
    this.registry = new JobRegistry(options.stateDir ?? join(homedir(), '.cohort', 'sge'));
    this.options = {
      ...options,
      parallelEnvironment: options.parallelEnvironment ?? 'smp',
      killGraceSeconds: options.killGraceSeconds ?? DEFAULT_KILL_GRACE_SECONDS,
    };
    this.maxArray = Math.max(1, options.maxArrayTasks ?? DEFAULT_MAX_ARRAY_TASKS);
  }

  /**
   * Submits all tasks (one qsub per array or single job) and returns their ids. When qsub refuses one
   * (an unknown queue: a CohortError naming it), the jobs this call already submitted are deleted.
   */
  async submit(specs: readonly TaskSpec[]): Promise<string[]> {
    if (this.closed) throw new CohortError('NOT_AVAILABLE', 'This executor was closed');
    specs.forEach((spec) => validateClusterTask(spec));
    const okDirs = this.okDependencyDirs(specs);
    const plan = planSubmission(specs, this.maxArray);
    const ids = new Array<string>(specs.length);
    const jobIdOfTask = new Array<string>(specs.length);
    const jobIds: string[] = [];
    try {
      for (const job of plan) {
        const members = job.members.map((m) => specs[m]!);
        const first = members[0]!;
        const limit = {
          seconds: timeSeconds(first.resources) ?? 0,
          graceSeconds: this.options.killGraceSeconds,
        };
        members.forEach((spec, i) => writeLaunchFile(spec, okDirs[job.members[i]!]!, limit));
        const jobId = await this.sge.qsub(
          [...jobArgs(job, first, jobIds, jobIdOfTask, this.options), ...(this.options.extraArgs ?? [])],
          jobScript(members.map((s) => s.logDir)),
        );
        jobIds.push(jobId);
        const time = timeSeconds(first.resources);
        this.registry.add(jobId, {
          logDirs: members.map((s) => s.logDir),
          ...(time === undefined ? {} : { timeSeconds: time }),
          ...(first.resources.memoryMB === undefined ? {} : { memoryMB: first.resources.memoryMB }),
          submittedAt: Date.now(),
        });
        job.members.forEach((m, i) => {
          jobIdOfTask[m] = jobId;
          ids[m] = members.length > 1 ? `${jobId}.${i + 1}` : jobId;
        });
      }
    } catch (error) {
      await this.sge.qdel(jobIds).catch(() => undefined); // all or nothing: no half-submitted batch
      throw error;
    }
    return ids;
  }

  async status(ids: readonly string[]): Promise<Map<string, TaskStatus>> {
    const result = new Map<string, TaskStatus>();
    const ask = new Map<string, SgeId>();
    for (const id of ids) {
      const known = this.last.get(id);
      const sid = parseSgeId(id);
      if (known !== undefined && hasEnded(known)) result.set(id, known);
      else if (sid === undefined || this.registry.logDirOf(sid) === undefined)
        result.set(id, { state: 'unknown' });
      else ask.set(id, sid);
    }
    if (ask.size === 0) return result;
    const entries = await this.sge.qstat();
    const listed = new Map(entries?.map((e) => [e.task === undefined ? e.job : `${e.job}.${e.task}`, e]));
    const gone: [string, SgeId][] = [];
    for (const [id, sid] of ask) {
      const logDir = this.registry.logDirOf(sid)!;
      const entry = listed.get(id);
      const exit = entry === undefined ? readWrapperExit(logDir) : undefined;
      if (entry !== undefined)
        this.remember(
          result,
          id,
          qstatStatus(entry, () => hasMarker(logDir, 'held')),
        );
      else if (exit !== undefined) this.remember(result, id, wrapperStatus(exit));
      else if (entries === undefined) result.set(id, this.last.get(id) ?? { state: 'queued' });
      else if (hasMarker(logDir, 'cancelled'))
        this.remember(result, id, { state: 'killed', cause: 'cancelled', reason: SGE_REASONS.killed });
      else gone.push([id, sid]);
    }
    if (gone.length > 0) await this.fromAccounting(gone, result);
    return result;
  }

  async cancel(ids: readonly string[]): Promise<void> {
    const active = this.ours(ids).filter(([id]) => !hasEnded(this.last.get(id) ?? { state: 'queued' }));
    // Before qdel: whatever reads the folder then knows it was Cohort, not someone outside.
    for (const [, logDir] of active) setMarker(logDir, 'cancelled', true);
    await this.sge.qdel(active.map(([id]) => id));
  }

  /** `qmod -sj`: SGE stops the job's processes (SIGSTOP); queued tasks are not affected (see `hold`). */
  async suspend(ids: readonly string[]): Promise<void> {
    await this.sge.qmod(
      '-sj',
      this.ours(ids).map(([id]) => id),
    );
  }

  async resume(ids: readonly string[]): Promise<void> {
    await this.sge.qmod(
      '-usj',
      this.ours(ids).map(([id]) => id),
    );
  }

  /** A user hold (`qhold`) on queued tasks; the `held` marker tells it from a wait for a dependency. */
  async hold(ids: readonly string[]): Promise<void> {
    const ours = this.ours(ids);
    for (const [, logDir] of ours) setMarker(logDir, 'held', true);
    await this.sge.hold(
      'qhold',
      ours.map(([id]) => id),
    );
  }

  async release(ids: readonly string[]): Promise<void> {
    const ours = this.ours(ids);
    await this.sge.hold(
      'qrls',
      ours.map(([id]) => id),
    );
    for (const [, logDir] of ours) setMarker(logDir, 'held', false);
  }

  /** Nothing runs in this process: jobs live in SGE. Later submits are refused. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Per task, the log folders of its `ok` dependencies (their exit-code files decide whether it runs). */
  private okDependencyDirs(specs: readonly TaskSpec[]): string[][] {
    const earlier = new Map<string, string>();
    return specs.map((spec) => {
      const dirs = spec.after.flatMap((dep) => {
        const sid = parseSgeId(dep.id);
        const dir = earlier.get(dep.id) ?? (sid === undefined ? undefined : this.registry.logDirOf(sid));
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

  /** Ids gone from qstat without an exit file: one qacct call for all of them. */
  private async fromAccounting(
    gone: readonly [string, SgeId][],
    result: Map<string, TaskStatus>,
  ): Promise<void> {
    const jobs = [...new Set(gone.map(([, sid]) => sid.job))];
    const since = Math.min(...jobs.map((job) => this.registry.get(job)?.submittedAt ?? 0));
    const records = await this.sge.qacct(jobs, since);
    const byId = new Map(records?.map((r) => [r.task === undefined ? r.job : `${r.job}.${r.task}`, r]));
    const now = Date.now();
    for (const [id, sid] of gone) {
      const record = byId.get(id); // a single job's record has taskid "undefined": keyed by JOBID
      if (record !== undefined) {
        this.remember(result, id, accountingStatus(record, this.registry.get(sid.job)));
        continue;
      }
      const since = this.missingSince.get(id) ?? now;
      this.missingSince.set(id, since);
      if (records !== undefined && now - since > VANISHED_GRACE_MS) {
        this.remember(result, id, {
          state: 'killed',
          cause: 'cancelled-outside',
          reason: SGE_REASONS.deleted,
        });
      } else result.set(id, this.last.get(id) ?? { state: 'queued' });
    }
  }

  private remember(result: Map<string, TaskStatus>, id: string, status: TaskStatus): void {
    result.set(id, status);
    this.last.set(id, status);
    if (hasEnded(status)) this.missingSince.delete(id);
  }

  /** Ids this installation submitted, with their log folders. */
  private ours(ids: readonly string[]): [id: string, logDir: string][] {
    return ids.flatMap((id): [string, string][] => {
      const sid = parseSgeId(id);
      const logDir = sid === undefined ? undefined : this.registry.logDirOf(sid);
      return logDir === undefined ? [] : [[id, logDir]];
    });
  }
}
