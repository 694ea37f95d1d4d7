import { setTimeout as sleep } from 'node:timers/promises';
import { CohortError } from '../../errors/cohort-error.js';

/** The cluster's limits that shape a submission, from `scontrol show config`. */
export interface SlurmLimits {
  /** MaxArraySize: array indexes run from 0 to MaxArraySize - 1, so an array has at most this many. */
  readonly maxArraySize?: number;
  /** MaxJobCount: job records slurmctld holds at once (pending, running, and ended within MinJobAge). */
  readonly maxJobCount?: number;
  /** ProctrackType is proctrack/cgroup: a suspend freezes the job's cgroup, about 2 s after Slurm accepts it. */
  readonly cgroupTracking?: boolean;
}

/** Slurm's defaults, for a controller that does not say. */
export const SLURM_DEFAULT_LIMITS = { maxArraySize: 1001, maxJobCount: 10_000 } as const;

/** Reads MaxArraySize and MaxJobCount from `scontrol show config` (`Name = value` lines). */
export function parseSlurmLimits(stdout: string): SlurmLimits {
  const value = (name: string): number | undefined => {
    const match = new RegExp(`^${name}\\s*=\\s*(\\d+)`, 'm').exec(stdout);
    return match === null ? undefined : Number(match[1]);
  };
  const maxArraySize = value('MaxArraySize');
  const maxJobCount = value('MaxJobCount');
  return {
    cgroupTracking: /^ProctrackType\s*=\s*proctrack\/cgroup\b/m.test(stdout),
    ...(maxArraySize === undefined ? {} : { maxArraySize }),
    ...(maxJobCount === undefined ? {} : { maxJobCount }),
  };
}

export interface JobCountThrottleOptions {
  /** Longest wait for room in slurmctld before the submission is given up (and undone). Default 30 min. */
  readonly waitMs?: number;
  /** First pause between counts while the cluster is full; doubles up to 15 s. Default 1 s. */
  readonly pauseMs?: number;
}

/**
 * Keeps a submission within MaxJobCount. Slurm refuses a job while it holds MaxJobCount jobs (sbatch
 * retries for about two minutes, then fails), and it counts every task of an array as one job, pending
 * or not: a run of many single jobs, or of 200,000 tasks in arrays, would be refused halfway (measured:
 * 195 of 200 arrays of 1000 taken under MaxJobCount 200,000). So before each sbatch the throttle makes
 * sure there is room for the job's tasks, counting the controller's jobs (countSlurmJobs over
 * `squeue --states=all`) when its count is stale or says full, and waits, counting again with growing
 * pauses, while the cluster is full: ended jobs leave slurmctld after MinJobAge. Past `waitMs` it
 * throws a CohortError (the caller then cancels what it submitted: all or nothing).
 */
export class JobCountThrottle {
  private used: number | undefined;
  private countedAt = 0;
  private readonly waitMs: number;
  private readonly pauseMs: number;

  /** `count`: the number of job records slurmctld holds now. */
  constructor(
    private readonly count: () => Promise<number>,
    options: JobCountThrottleOptions = {},
  ) {
    this.waitMs = options.waitMs ?? 30 * 60_000;
    this.pauseMs = options.pauseMs ?? 1000;
  }

  /**
   * Waits until `tasks` more (an array's elements, 1 for a single job) fit under `limit` (less a margin
   * of 5 %: arraysWithin keeps an array smaller than that) and counts them as taken.
   */
  async take(limit: number, tasks = 1): Promise<void> {
    if (this.used === undefined || Date.now() - this.countedAt > 30_000) await this.recount();
    const started = Date.now();
    let pause = this.pauseMs;
    // A margin: slurmctld's own count runs a little ahead of squeue's lines (records on their way out).
    const room = jobCountRoom(limit);
    while ((this.used ?? 0) + Math.min(tasks, room) > room) {
      if (Date.now() - started > this.waitMs) {
        throw new CohortError(
          'NOT_AVAILABLE',
          `Slurm holds ${this.used} jobs, its MaxJobCount is ${limit}, and none left it for ${Math.round(this.waitMs / 1000)} s`,
          {
            hint: 'Wait for jobs to end (they leave slurmctld MinJobAge seconds later) or ask the admins for a larger MaxJobCount; `squeue --states=all | wc -l` shows the count',
            retryable: true,
            context: { jobs: this.used, maxJobCount: limit },
          },
        );
      }
      await sleep(pause);
      pause = Math.min(pause * 2, 15_000);
      await this.recount();
    }
    this.used = (this.used ?? 0) + tasks;
  }

  private async recount(): Promise<void> {
    this.used = await this.count();
    this.countedAt = Date.now();
  }
}

/** The room a submission keeps spare under MaxJobCount: 5 %, at least 1. */
export function jobCountRoom(limit: number): number {
  return limit - Math.max(1, Math.ceil(limit * 0.05));
}

/**
 * The jobs slurmctld counts against MaxJobCount, from `squeue --states=all --format=%i` lines: one a
 * job or started element (`123`, `123_4`), and for a pending array's remaining elements one each
 * (`123_[0-9999]`, `123_[1,3,5-7%2]`: `%N` is a limit on how many run at once, `:S` a step).
 */
export function countSlurmJobs(stdout: string): number {
  let count = 0;
  for (const line of stdout.split('\n')) {
    const id = line.trim();
    if (id === '') continue;
    const pending = /_\[([^\]]*)\]$/.exec(id)?.[1];
    if (pending === undefined) {
      count++;
      continue;
    }
    for (const part of pending.replace(/%\d+$/, '').split(',')) {
      const [range = '', step = '1'] = part.split(':');
      const [from, to = from] = range.split('-').map(Number);
      count +=
        from === undefined || Number.isNaN(from) || Number.isNaN(to)
          ? 1
          : Math.floor(((to ?? from) - from) / Math.max(1, Number(step) || 1)) + 1;
    }
  }
  return count;
}
