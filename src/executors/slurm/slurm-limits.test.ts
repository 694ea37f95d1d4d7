import { describe, expect, it } from 'vitest';
import { CohortError } from '../../errors/cohort-error.js';
import { countSlurmJobs, JobCountThrottle, parseSlurmLimits } from './slurm-limits.js';

describe('parseSlurmLimits', () => {
  it('reads MaxArraySize and MaxJobCount from `scontrol show config`', () => {
    const text = [
      'Configuration data as of 2026-12-03T16:04:11',
      'MaxArraySize            = 4',
      'MaxDBDMsgs              = 20008',
      'MaxJobCount             = 40',
      'MaxJobId                = 67043328',
      'ProctrackType           = proctrack/cgroup',
    ].join('\n');
    expect(parseSlurmLimits(text)).toEqual({ maxArraySize: 4, maxJobCount: 40, cgroupTracking: true });
    expect(parseSlurmLimits('ProctrackType = proctrack/linuxproc')).toEqual({ cgroupTracking: false });
  });
});

describe('countSlurmJobs', () => {
  it('counts a pending array as its remaining elements, as MaxJobCount does', () => {
    const lines = ['12', '13_0', '13_1', '13_[2-9999]', '14_[1,3,5-7%2]', '15_[0-8:2]', ''];
    expect(countSlurmJobs(lines.join('\n'))).toBe(1 + 2 + 9998 + 5 + 5);
  });
});

describe('JobCountThrottle', () => {
  it('makes room for all the elements of an array', async () => {
    const counts = [30, 35, 10];
    const throttle = new JobCountThrottle(() => Promise.resolve(counts.shift() ?? 10), { pauseMs: 1 });
    await throttle.take(40, 8); // 30 + 8 = 38: fits (2 kept spare)
    await throttle.take(40, 8); // 38 + 8: waits, counts 35 (still full), then 10
    expect(counts).toEqual([]);
  });

  it('takes what fits, then counts again until jobs have left', async () => {
    const counts = [35, 38, 38, 33];
    const asked: number[] = [];
    const throttle = new JobCountThrottle(
      () => {
        const next = counts.shift() ?? 35;
        asked.push(next);
        return Promise.resolve(next);
      },
      { pauseMs: 1 },
    );
    for (let i = 0; i < 3; i++) await throttle.take(40); // 35, 36, 37: room for three (2 kept spare)
    expect(asked).toEqual([35]);
    await throttle.take(40); // full: counts 38, 38, then 33
    expect(asked).toEqual([35, 38, 38, 33]);
  });

  it('gives up with a retryable CohortError naming MaxJobCount when nothing leaves', async () => {
    const throttle = new JobCountThrottle(() => Promise.resolve(40), { pauseMs: 1, waitMs: 20 });
    const error = await throttle.take(40).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CohortError);
    expect(error).toMatchObject({ retryable: true, message: expect.stringContaining('MaxJobCount is 40') });
  });
});
