/** What SGE's global configuration (`qconf -sconf`) allows one submission; 0 in SGE means no limit. */
export interface SgeLimits {
  /** `max_aj_tasks`: most tasks in one array job. */
  readonly maxArrayTasks: number | undefined;
  /** `max_u_jobs`: most jobs (an array counts once) one user may have in the system. */
  readonly maxUserJobs: number | undefined;
  /** `max_jobs`: most jobs in the system, all users together. */
  readonly maxJobs: number | undefined;
}

/** Reads the limits out of `qconf -sconf` (global) output: `name value` lines; 0 or absent is none. */
export function parseSgeLimits(conf: string): SgeLimits {
  const value = (name: string): number | undefined => {
    const match = new RegExp(`^${name}\\s+(\\d+)\\s*$`, 'm').exec(conf);
    const n = match === null ? 0 : Number(match[1]);
    return n > 0 ? n : undefined;
  };
  return {
    maxArrayTasks: value('max_aj_tasks'),
    maxUserJobs: value('max_u_jobs'),
    maxJobs: value('max_jobs'),
  };
}

/**
 * How many more jobs SGE takes now, given its limits and the jobs in the system (this user's, and all
 * users' where max_jobs is set); undefined for no limit.
 */
export function jobsAllowed(limits: SgeLimits, userJobs: number, allJobs: number): number | undefined {
  const room = [
    limits.maxUserJobs === undefined ? undefined : limits.maxUserJobs - userJobs,
    limits.maxJobs === undefined ? undefined : limits.maxJobs - allJobs,
  ].filter((n): n is number => n !== undefined);
  return room.length === 0 ? undefined : Math.max(0, Math.min(...room));
}
