import { describe, expect, it } from 'vitest';
import { CohortError } from '../../errors/cohort-error.js';
import { JobCountThrottle, parseSlurmLimits } from './slurm-limits.js';

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

describe('JobCountThrottle', () => {
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
