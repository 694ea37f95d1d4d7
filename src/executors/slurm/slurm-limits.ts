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

export {
  JobCountThrottle,
  jobCountRoom,
  type JobCountThrottleOptions,
} from '../cluster/job-count-throttle.js';

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
