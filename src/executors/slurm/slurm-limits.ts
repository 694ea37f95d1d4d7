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
 * Keeps a submission within MaxJobCount. Slurm refuses a job while it holds MaxJobCount records (sbatch
 * retries for about two minutes, then fails): a run of many single jobs would be refused halfway. So
 * before each sbatch the throttle makes sure there is room, counting the controller's records (one
 * `squeue --states=all` line each: a pending array is one record, each element that started another)
 * when its count is stale or says full, and waits, counting again with growing pauses, while the
 * cluster is full: ended jobs leave slurmctld after MinJobAge. Past `waitMs` it throws a CohortError
 * (the caller then cancels what it submitted: all or nothing).
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

  /** Waits until one more job fits under `limit` (less a margin of 5 %) and counts it as taken. */
  async take(limit: number): Promise<void> {
    if (this.used === undefined || Date.now() - this.countedAt > 30_000) await this.recount();
    const started = Date.now();
    let pause = this.pauseMs;
    // A margin: slurmctld's own count runs a little ahead of squeue's lines (records on their way out).
    const room = limit - Math.max(1, Math.ceil(limit * 0.05));
    while ((this.used ?? 0) >= room) {
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
    this.used = (this.used ?? 0) + 1;
  }

  private async recount(): Promise<void> {
    this.used = await this.count();
    this.countedAt = Date.now();
  }
}
