import { setTimeout as sleep } from 'node:timers/promises';
import { CohortError } from '../../errors/cohort-error.js';

const SLURM_WORDS = {
  scheduler: 'Slurm',
  limit: 'MaxJobCount',
  hint: 'Wait for jobs to end (they leave slurmctld MinJobAge seconds later) or ask the admins for a larger MaxJobCount; `squeue --states=all | wc -l` shows the count',
};

export interface JobCountThrottleOptions {
  /** Longest wait for room in the cluster before the submission is given up (and undone). Default 30 min. */
  readonly waitMs?: number;
  /**
   * Whether the count is exact (SGE's qstat lists every job it counts): then no margin is kept. Default
   * false: 5 % of the limit stay spare (jobCountRoom).
   */
  readonly exact?: boolean;
  /** The error's words: the scheduler, what its limit is called, and how to see the count. */
  readonly words?: { readonly scheduler: string; readonly limit: string; readonly hint: string };
  /** First pause between counts while the cluster is full; doubles up to 15 s. Default 1 s. */
  readonly pauseMs?: number;
}

/**
 * Keeps a submission within a cluster's job limit: Slurm's MaxJobCount, SGE's max_u_jobs / max_jobs
 * (qsub refuses a job over them at once). Slurm refuses a job while it holds MaxJobCount jobs (sbatch
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
  private readonly exact: boolean;
  private readonly words: NonNullable<JobCountThrottleOptions['words']>;

  /** `count`: the jobs the cluster counts against the limit now (Slurm: the records slurmctld holds). */
  constructor(
    private readonly count: () => Promise<number>,
    options: JobCountThrottleOptions = {},
  ) {
    this.waitMs = options.waitMs ?? 30 * 60_000;
    this.pauseMs = options.pauseMs ?? 1000;
    this.exact = options.exact ?? false;
    this.words = options.words ?? SLURM_WORDS;
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
    const room = this.exact ? limit : jobCountRoom(limit);
    while ((this.used ?? 0) + Math.min(tasks, room) > room) {
      if (Date.now() - started > this.waitMs) {
        const { scheduler, limit: name, hint } = this.words;
        throw new CohortError(
          'NOT_AVAILABLE',
          `${scheduler} holds ${this.used} jobs, its ${name} is ${limit}, and none left it for ${Math.round(this.waitMs / 1000)} s`,
          { hint, retryable: true, context: { jobs: this.used, limit } },
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
