import { describe, expect, it } from 'vitest';
import { parseSacct, parseSqueue } from './parse-squeue.js';
import { slurmTaskStatus, type SlurmJob } from './slurm-states.js';

// Lines as Slurm 22.05's squeue prints them with SQUEUE_FORMAT.
const SQUEUE = `2|CANCELLED|DependencyNeverSatisfied|0|n/a|2026-12-02T14:03:15|2026-12-02T14:03:15|/w/b/slurm.log|
4_1|PENDING|JobHeldAdmin|0|n/a|N/A|N/A|/w/a/slurm-array-%a.log|
1|FAILED|NonZeroExitCode|768|vm|2026-12-02T14:03:07|2026-12-02T14:03:08|/w/c/slurm.log|
9|FAILED|JobLaunchFailure|9|vm|2026-12-02T14:03:07|2026-12-02T14:03:28|/w/m/slurm.log|
11|RUNNING|None|0|vm|2026-12-02T14:03:07|NONE|/w/r/slurm.log|
12|PENDING|job requeued in held state|0|n/a|N/A|N/A|/w/q/slurm.log|
13|PENDING|BeginTime|0|n/a|2026-12-02T14:05:07|N/A|/w/p/slurm.log|
14|NODE_FAIL|NodeDown|0|cohort2|2026-12-02T14:03:07|2026-12-02T14:03:39|/w/n/slurm.log|
`;
const noClues = { cancelledByCohort: () => false, overMemory: () => false, timedOut: () => false };

describe('parseSqueue and slurmTaskStatus', () => {
  const jobs = parseSqueue(SQUEUE);
  const status = (id: string, clues = noClues) =>
    slurmTaskStatus(
      jobs.find((j) => j.id === id)!,
      clues,
    );

  it('reads every field', () => {
    expect(jobs).toHaveLength(8);
    expect(jobs[2]).toMatchObject({ id: '1', state: 'FAILED', waitStatus: 768, host: 'vm' });
    expect(jobs[1]).toMatchObject({ id: '4_1', stdoutPattern: '/w/a/slurm-array-%a.log' });
    expect(jobs[1]!.host).toBeUndefined();
    expect(jobs[4]!.endedAt).toBeUndefined();
  });

  it('gives reasons in words', () => {
    expect(status('1')).toMatchObject({ state: 'error', exitCode: 3, reason: 'exit code 3' });
    expect(status('2')).toMatchObject({
      state: 'error',
      cause: 'dependency-failed',
      reason: 'dependency failed',
    });
    expect(status('4_1')).toEqual({ state: 'held' });
    expect(status('9', { ...noClues, overMemory: () => true })).toMatchObject({
      cause: 'out-of-memory',
      reason: 'out of memory',
    });
    expect(status('9')).toMatchObject({ reason: 'killed by signal 9' });
    expect(status('11')).toMatchObject({ state: 'running', host: 'vm' });
  });

  it('reads requeued jobs as waiting and a dead node as node failure (lines seen on the two-node cluster)', () => {
    expect(status('12')).toEqual({ state: 'held' }); // scontrol requeuehold
    expect(status('13')).toEqual({ state: 'queued' }); // requeued: Slurm holds it back ~2 min
    expect(status('14')).toMatchObject({ state: 'error', cause: 'scheduler', reason: 'node failure' });
  });

  it('says who cancelled', () => {
    const job: SlurmJob = { id: '5', state: 'CANCELLED', reason: 'None', waitStatus: 15 };
    expect(slurmTaskStatus(job, noClues)).toMatchObject({
      cause: 'cancelled-outside',
      reason: 'cancelled outside Cohort (scancel)',
    });
    expect(slurmTaskStatus(job, { ...noClues, cancelledByCohort: () => true })).toMatchObject({
      cause: 'cancelled',
      reason: 'killed',
    });
  });

  it('reads sacct for jobs the controller forgot', () => {
    const [job, failedNode] = parseSacct(
      '7_2|TIMEOUT|0:15|vm|2026-12-02T14:03:07|2026-12-02T14:04:07\n' +
        '8|NODE_FAIL|0:0|cohort2|2026-12-02T14:03:07|2026-12-02T14:03:39\n',
    );
    expect(slurmTaskStatus(job!, noClues)).toMatchObject({ state: 'error', reason: 'time limit' });
    expect(slurmTaskStatus(failedNode!, noClues)).toMatchObject({ reason: 'node failure', host: 'cohort2' });
  });
});
