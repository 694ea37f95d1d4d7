import { userInfo } from 'node:os';
import { hasMarker } from '../cluster/cluster-task-files.js';
import type { CommandRunner } from '../cluster/command-runner.js';
import type { GridScheduler, SubmitContext } from '../cluster/grid-executor.js';
import type { PlannedJob } from '../cluster/submission-plan.js';
import type { TaskSpec, TaskStatus } from '../executor.js';
import { JobCountThrottle } from '../cluster/job-count-throttle.js';
import { JobRegistry } from '../cluster/job-registry.js';
import { runStoppedHere } from '../cluster/run-stopped-here.js';
import { jobArgs, timeSeconds, type QsubResourceOptions } from './qsub-args.js';
import { SgeCommands } from './sge-commands.js';
import { jobsAllowed, parseSgeLimits, type SgeLimits } from './sge-limits.js';
import type { QstatEntry } from './parse-qstat-xml.js';
import { accountingStatus, qstatStatus, SGE_REASONS } from './sge-states.js';

/**
 * Words in stderr.log that say an allocation failed under the `h_vmem` limit. SGE sets that limit as
 * the job's address-space rlimit, so a task over it usually fails an allocation and exits with its own
 * code instead of being killed: the message is all there is to tell "out of memory" from any failure.
 */
const OUT_OF_MEMORY = 'MemoryError|Cannot allocate memory|bad_alloc|out of memory|memory exhausted';

/** What SgeScheduler needs of SgeExecutorOptions, resolved. */
export interface SgeSettings extends QsubResourceOptions {
  readonly runner: CommandRunner;
  readonly path: (program: string) => string;
  readonly stateDir: string;
  readonly extraArgs: readonly string[];
  readonly maxArray: number;
  readonly holdCheckMs: number;
  /** Longest wait for room under max_u_jobs / max_jobs (cluster/job-count-throttle.ts). */
  readonly queueFullWaitMs: number | undefined;
}

const SGE_WORDS = {
  scheduler: 'SGE',
  limit: 'job limit (max_u_jobs / max_jobs)',
  hint: 'Wait for jobs to end or ask the administrator to raise max_u_jobs or max_jobs (`qconf -sconf`); `qstat -u "*"` lists the jobs',
};

/** The tighter of max_u_jobs and max_jobs; undefined when neither is set. */
function jobLimit(limits: SgeLimits): number | undefined {
  const set = [limits.maxUserJobs, limits.maxJobs].filter((n): n is number => n !== undefined);
  return set.length === 0 ? undefined : Math.min(...set);
}

/**
 * What is SGE's in the grid skeleton: `qsub -terse` with the script on stdin, ids `JOBID` and
 * `JOBID.TASK` (arrays from 1), `-hold_jid` / `-hold_jid_ad`, one `qstat -xml` for all ids, `qacct` for
 * jobs that ended without an exit record (qdel, a hard limit), `qdel`, `qmod -sj|-usj`, `qhold|qrls`.
 * SGE forgets a job's paths when it ends, so a registry (cluster/job-registry.ts) keeps each job's task folders.
 * Its jobs' wrapper needs more than Slurm's: SGE's holds wait for the end of a dependency, not its
 * success, so the wrapper checks the exit record of each `ok` one; `qmod -sj` stops the job's process
 * group, so the task stays in it; 99 and 100 would make SGE reschedule the job or put it in error state;
 * h_vmem makes allocations fail rather than kill; and jobs start with SGE's environment (NSLOTS, TMPDIR),
 * which the task keeps. SGE's h_rt, a grace after the wrapper's limit, is the backstop.
 */
export class SgeScheduler implements GridScheduler {
  readonly kind = 'sge';
  readonly commands: CommandRunner;
  readonly maxArray: number;
  readonly graceSeconds: number;
  readonly holdsIgnoreSuccess = true;
  readonly arrayIndex = { variable: 'SGE_TASK_ID', first: 1 };
  readonly unreachable: TaskStatus = { state: 'queued' };
  readonly vanished: TaskStatus = {
    state: 'killed',
    cause: 'cancelled-outside',
    reason: SGE_REASONS.deleted,
  };
  readonly wrapper = {
    ownProcessGroup: false,
    reservedExitCodes: [99, 100],
    outOfMemoryPattern: OUT_OF_MEMORY,
    keepJobEnvironment: true,
  };
  private readonly sge: SgeCommands;
  private readonly registry: JobRegistry;
  private clusterLimits: Promise<SgeLimits> | undefined;
  /** Jobs submitted with -hold_jid(_ad): their `h` may be a wait rather than a hold. */
  private readonly dependent = new Set<string>();
  /** Held ids by the last `qstat -s huho`, and when it ran (the first one only a period after start). */
  private holds = new Set<string>();
  private holdsCheckedAt = Date.now();
  private readonly throttle: JobCountThrottle;

  constructor(private readonly settings: SgeSettings) {
    this.commands = settings.runner;
    this.sge = new SgeCommands(settings.runner, settings.path);
    this.registry = new JobRegistry(settings.stateDir);
    this.maxArray = settings.maxArray;
    this.graceSeconds = settings.killGraceSeconds;
    // qstat lists every job that counts: the count is exact, no margin.
    this.throttle = new JobCountThrottle(() => this.jobsCounted(), {
      exact: true,
      words: SGE_WORDS,
      ...(settings.queueFullWaitMs === undefined ? {} : { waitMs: settings.queueFullWaitMs }),
    });
  }

  owns(id: string): boolean {
    return this.logDirOf(id) !== undefined;
  }

  logDirOf(id: string): string | undefined {
    const sid = parseSgeId(id);
    return sid === undefined ? undefined : this.registry.logDirOf(sid.job, (sid.task ?? 1) - 1);
  }

  /** Whole seconds, at least 1 (SGE's h_rt). */
  limitSeconds(spec: TaskSpec): number | undefined {
    return timeSeconds(spec.resources);
  }

  async submitJob(
    job: PlannedJob,
    specs: readonly TaskSpec[],
    script: string,
    context: SubmitContext,
  ): Promise<string> {
    const first = specs[0]!;
    // An array counts once against SGE's job limits: room for one job before each qsub, waiting for
    // jobs to leave while there is none (a submission over the limit is throttled, not refused).
    const limit = jobLimit(await this.clusterLimitsOnce());
    if (limit !== undefined) await this.throttle.take(limit, 1);
    const args = [
      ...jobArgs(job, first, context.jobIds, context.jobIdOfTask, this.settings),
      ...this.settings.extraArgs,
    ];
    const jobId = await this.sge.qsub(args, script);
    if (args.includes('-hold_jid') || args.includes('-hold_jid_ad')) this.dependent.add(jobId);
    const time = timeSeconds(first.resources);
    this.registry.add(jobId, {
      logDirs: specs.map((s) => s.logDir),
      ...(time === undefined ? {} : { timeSeconds: time }),
      ...(first.resources.memoryMB === undefined ? {} : { memoryMB: first.resources.memoryMB }),
      submittedAt: Date.now(),
    });
    return jobId;
  }

  /** SGE's max_aj_tasks from `qconf -sconf` (read once per executor): arrays are split to it. */
  async limits(): Promise<{ maxArray?: number }> {
    const limits = await this.clusterLimitsOnce();
    return limits.maxArrayTasks === undefined ? {} : { maxArray: limits.maxArrayTasks };
  }

  private clusterLimitsOnce(): Promise<SgeLimits> {
    this.clusterLimits ??= this.sge.globalConfig().then(parseSgeLimits);
    return this.clusterLimits;
  }

  /**
   * The jobs counted against the tighter job limit now (one `qstat -u '*'`): that limit less the room
   * left under both max_u_jobs (this user's jobs) and max_jobs (everyone's).
   */
  private async jobsCounted(): Promise<number> {
    const limits = await this.clusterLimitsOnce();
    const limit = jobLimit(limits) ?? 0;
    const counts = await this.sge.jobCounts(userInfo().username);
    return limit - (jobsAllowed(limits, counts.user, counts.all) ?? limit);
  }

  memberIds(jobId: string, count: number): string[] {
    return count === 1 ? [jobId] : Array.from({ length: count }, (_, i) => `${jobId}.${i + 1}`);
  }

  /**
   * One `qstat -xml -g d -f` lists every job of this user and the state of every queue instance: the
   * statuses of the ids asked about. An `h` is a hold on a job without dependencies; on one with them
   * (or one of another executor) it may be a wait, and a second qstat tells which are held by someone
   * outside Cohort (an administrator's qhold), at most every holdCheckMs. Jobs lost with their host are
   * reported failed (node failure) and deleted with `qdel -f`, so that SGE neither keeps them nor
   * releases their dependents as if they had ended.
   */
  async poll(
    ids: readonly string[],
    logDirOf: (id: string) => string | undefined,
  ): Promise<Map<string, TaskStatus> | undefined> {
    const listing = await this.sge.qstat();
    if (listing === undefined) return undefined;
    const asked = new Set(ids);
    const idOf = (e: { job: string; task: number | undefined }): string =>
      e.task === undefined ? e.job : `${e.job}.${e.task}`;
    const ours = listing.entries.filter((entry) => asked.has(idOf(entry)));
    const waits = (e: QstatEntry): boolean => e.state.includes('h') && !/[rt]/.test(e.state);
    const ambiguous = (e: QstatEntry): boolean =>
      this.registry.get(e.job) === null || this.dependent.has(e.job);
    const marked = (id: string): boolean => hasMarker(logDirOf(id), 'held');
    if (
      Date.now() - this.holdsCheckedAt >= this.settings.holdCheckMs &&
      ours.some((e) => waits(e) && ambiguous(e) && !marked(idOf(e)))
    ) {
      this.holds = (await this.sge.heldIds()) ?? this.holds;
      this.holdsCheckedAt = Date.now();
    }
    const held = (e: QstatEntry): boolean => marked(idOf(e)) || !ambiguous(e) || this.holds.has(idOf(e));
    const result = new Map<string, TaskStatus>();
    const lost: string[] = [];
    for (const entry of ours) {
      const id = idOf(entry);
      const queueState = entry.queue === undefined ? '' : (listing.queueStates.get(entry.queue) ?? '');
      let status = qstatStatus(entry, () => held(entry), queueState);
      // qstat's `s` comes before sge_execd has stopped the processes: running until they are, where
      // this machine can see them (a remote node's cannot be checked; its `s` is taken as said).
      const dir = status.state === 'suspended' ? logDirOf(id) : undefined;
      if (dir !== undefined && runStoppedHere(dir) === false) status = { ...status, state: 'running' };
      if (status.cause === 'scheduler' && status.reason?.startsWith(SGE_REASONS.nodeFailure)) lost.push(id);
      result.set(id, status);
    }
    if (lost.length > 0) await this.sge.forceDelete(lost);
    return result;
  }

  /** One qacct call for all of them (a single job's record has taskid "undefined": keyed by JOBID). */
  async accounting(ids: readonly string[]): Promise<Map<string, TaskStatus> | undefined> {
    const sids = ids.flatMap((id) => parseSgeId(id) ?? []);
    const jobs = [...new Set(sids.map((sid) => sid.job))];
    const since = Math.min(...jobs.map((job) => this.registry.get(job)?.submittedAt ?? 0));
    const records = await this.sge.qacct(jobs, since);
    if (records === undefined) return undefined;
    const result = new Map<string, TaskStatus>();
    for (const record of records) {
      const id = record.task === undefined ? record.job : `${record.job}.${record.task}`;
      result.set(id, accountingStatus(record, this.registry.get(record.job)));
    }
    return result;
  }

  /** Jobs of another instance are in the registry already. */
  locate(): Promise<Map<string, string>> {
    return Promise.resolve(new Map<string, string>());
  }

  /** qdel: SGE kills at once (SIGKILL; every process of the job with ENABLE_ADDGRP_KILL). */
  kill(ids: readonly string[]): Promise<void> {
    return this.sge.qdel(ids);
  }

  /** `qmod -sj`: SGE stops the job's processes (SIGSTOP). */
  suspend(ids: readonly string[]): Promise<void> {
    return this.sge.qmod('-sj', ids);
  }

  resume(ids: readonly string[]): Promise<void> {
    return this.sge.qmod('-usj', ids);
  }

  hold(ids: readonly string[]): Promise<void> {
    return this.sge.hold('qhold', ids);
  }

  release(ids: readonly string[]): Promise<void> {
    return this.sge.hold('qrls', ids);
  }
}

/** An executor id split: `123` (task undefined) or `123.4`. */
interface SgeId {
  readonly job: string;
  readonly task: number | undefined;
}

/** Parses `JOBID` or `JOBID.TASK`; undefined for anything else (ids this executor never gives). */
function parseSgeId(id: string): SgeId | undefined {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(id);
  if (match === null) return undefined;
  return { job: match[1]!, task: match[2] === undefined ? undefined : Number(match[2]) };
}
