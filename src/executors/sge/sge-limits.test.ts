import { describe, expect, it } from 'vitest';
import { jobsAllowed, parseSgeLimits } from './sge-limits.js';

// Lines as SGE 8.1.9's `qconf -sconf` prints them (names padded to a column).
const CONF = `execd_spool_dir              /var/spool/gridengine/execd
max_aj_instances             2000
max_aj_tasks                 25
max_u_jobs                   4
max_jobs                     0
`;

describe('parseSgeLimits', () => {
  it('reads max_aj_tasks, max_u_jobs and max_jobs; 0 is no limit', () => {
    expect(parseSgeLimits(CONF)).toEqual({ maxArrayTasks: 25, maxUserJobs: 4, maxJobs: undefined });
  });

  it('is all undefined for a configuration without them', () => {
    expect(parseSgeLimits('min_uid 0\n')).toEqual({
      maxArrayTasks: undefined,
      maxUserJobs: undefined,
      maxJobs: undefined,
    });
  });
});

describe('jobsAllowed', () => {
  it('is the smaller room of the per-user and the global limit, never negative', () => {
    const limits = { maxArrayTasks: undefined, maxUserJobs: 4, maxJobs: 10 };
    expect(jobsAllowed(limits, 1, 8)).toBe(2);
    expect(jobsAllowed(limits, 3, 0)).toBe(1);
    expect(jobsAllowed(limits, 6, 0)).toBe(0);
    expect(jobsAllowed({ maxArrayTasks: 5, maxUserJobs: undefined, maxJobs: undefined }, 100, 100)).toBe(
      undefined,
    );
  });
});
