import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskSpec, TaskStatus } from '../src/executors/executor.js';
import { SlurmExecutor } from '../src/executors/slurm/slurm-executor.js';
import { readIfExists } from '../src/executors/task-logs.js';
import { hasEnded, waitFor, waitForFile } from '../src/executors/wait-for.js';
import { PrivateSlurm } from './helpers/private-slurm.js';
import { waitUntil } from './helpers/wait-until.js';
import { alive } from './helpers/process-alive.js';

// Issue 21 against a real Slurm with accounting (slurmdbd, MariaDB) of this file's own, configured small
// on purpose: ended jobs leave slurmctld after 2 s (then only sacct knows them), arrays of at most 4,
// at most 40 jobs held. Administrator holds and requeues, sacct, limits and cgroup process tracking.
const PORT = Number(process.env.COHORT_SLURM_LIMITS_PORT ?? 6867);
const slurm = new PrivateSlurm(process.env.COHORT_SLURM_LIMITS_DIR ?? '/var/tmp/cohort-slurm-limits', PORT, {
  COHORT_SLURM_NODES: '2',
  COHORT_SLURM_CPUS: '4',
  COHORT_SLURM_MIN_JOB_AGE: '2',
  COHORT_SLURM_MAX_ARRAY: '4',
  COHORT_SLURM_MAX_JOBS: '40',
});
const POLL_MS = 300;

describe('Slurm with accounting and small limits', () => {
  let root: string;
  let count = 0;
  const make = (): SlurmExecutor =>
    new SlurmExecutor({ env: slurm.env, stateDir: join(root, 'registry'), killGraceMs: 1000 });
  const task = (script: string, more: Partial<TaskSpec> = {}): TaskSpec => {
    const dir = join(root, `t${++count}`);
    mkdirSync(dir);
    return {
      taskId: `acct-t${count}`,
      argv: ['/bin/sh', '-c', script],
      env: { PATH: '/usr/bin:/bin' },
      cwd: dir,
      logDir: join(dir, 'log'),
      resources: {},
      after: [],
      ...more,
    };
  };
  const ended = (executor: SlurmExecutor, id: string, ms = 120_000): Promise<TaskStatus> =>
    waitFor(executor, id, hasEnded, ms, POLL_MS);
  /** Waits for a state, recording every state seen on the way. */
  const until = async (executor: SlurmExecutor, id: string, state: string, seen: string[]): Promise<void> => {
    await waitFor(
      executor,
      id,
      (s) => {
        if (seen.at(-1) !== s.state) seen.push(s.state);
        return s.state === state;
      },
      60_000,
      POLL_MS,
    );
  };
  /** Whether slurmctld still lists the job (it forgets ended jobs MinJobAge later, at its next purge). */
  const listed = (id: string): boolean => {
    try {
      return slurm.run('squeue', '--noheader', '--states=all', '--format=%i', `--jobs=${id}`).trim() !== '';
    } catch {
      return false; // squeue of one id it does not know fails
    }
  };

  beforeAll(async () => {
    slurm.up();
    await slurm.clear();
    root = mkdtempSync(join(tmpdir(), 'cohort-slurm-acct-'));
  }, 600_000);
  afterAll(async () => {
    await slurm.clear();
    slurm.down();
    rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it('reads an administrator hold and release, and a requeue-and-hold, without calling it a failure', async () => {
    const executor = make();
    const seen: string[] = [];
    // Waits an hour to start: the administrator holds it while it is pending.
    const [waiting] = await executor.submit([task('echo ran', { schedulerArgs: ['--begin=now+3600'] })]);
    await until(executor, waiting!, 'queued', seen);
    slurm.run('scontrol', 'hold', waiting!);
    await until(executor, waiting!, 'held', seen);
    slurm.run('scontrol', 'release', waiting!);
    await until(executor, waiting!, 'queued', seen);
    slurm.run('scontrol', 'update', `jobid=${waiting!}`, 'StartTime=now');
    expect(await ended(executor, waiting!)).toMatchObject({ state: 'done', exitCode: 0 });
    expect(seen).toEqual(['queued', 'held', 'queued']);

    // Running, requeued and held by the administrator (it may: the task's queue allows requeues).
    const running: string[] = [];
    const spec = task('echo "$SLURM_RESTART_COUNT" >> starts; sleep 5', { schedulerArgs: ['--requeue'] });
    const [id] = await executor.submit([spec]);
    await waitForFile(join(spec.cwd, 'starts'), 60_000);
    await until(executor, id!, 'running', running);
    slurm.run('scontrol', 'requeuehold', id!);
    await until(executor, id!, 'held', running);
    slurm.run('scontrol', 'release', id!);
    slurm.run('scontrol', 'update', `jobid=${id!}`, 'StartTime=now');
    expect(await ended(executor, id!)).toMatchObject({ state: 'done', exitCode: 0 });
    expect(running).not.toContain('error');
    // It ran again, from the start (Slurm counts restarts; the first run may see no count at all).
    const starts = readFileSync(join(spec.cwd, 'starts'), 'utf8').split('\n').slice(0, -1);
    expect(starts.map((n) => n || '0')).toEqual(['0', '1']);
  }, 300_000);

  it('reads ends from sacct once slurmctld has forgotten the jobs', async () => {
    const first = make();
    const failing = task('exit 3');
    const fine = task('true');
    const pending = task('true', { schedulerArgs: ['--begin=now+3600'] });
    const ids = await first.submit([failing, { ...fine, arrayKey: 'x' }, { ...pending, arrayKey: 'y' }]);
    const [failed, done, cancelled] = ids as [string, string, string];
    await ended(first, failed);
    await ended(first, done);
    slurm.run('scancel', cancelled); // outside Cohort, before it started: no exit record
    await ended(first, cancelled);
    // The exit records are gone too (a node-local log folder, a cleaned scratch): only sacct can tell.
    for (const spec of [failing, fine]) rmSync(join(spec.logDir, 'exit'));
    const deadline = Date.now() + 150_000; // MinJobAge 2 s, and slurmctld purges once a minute
    while (ids.some(listed)) {
      if (Date.now() > deadline) throw new Error('slurmctld still lists the jobs after 150 s');
      await sleep(2000);
    }
    const second = make(); // a restarted runner
    const statuses = await second.status(ids);
    expect(second.commands.counts.get('sacct')).toBe(1);
    expect(statuses.get(failed)).toMatchObject({ state: 'error', exitCode: 3, reason: 'exit code 3' });
    expect(statuses.get(done)).toMatchObject({ state: 'done', exitCode: 0 });
    expect(statuses.get(cancelled)).toMatchObject({
      state: 'killed',
      cause: 'cancelled-outside',
      reason: 'cancelled outside Cohort (scancel)',
    });
  }, 300_000);

  it('splits arrays at MaxArraySize and waits for room under MaxJobCount instead of being refused', async () => {
    const config = slurm.run('scontrol', 'show', 'config');
    expect(config).toMatch(/^MaxArraySize\s*=\s*4$/m);
    expect(config).toMatch(/^MaxJobCount\s*=\s*40$/m);
    const executor = make();
    const arrays = Array.from({ length: 10 }, () => ({ ...task('true'), arrayKey: 'same' }));
    const arrayIds = await executor.submit(arrays);
    expect(executor.commands.counts.get('sbatch')).toBe(3); // 4 + 4 + 2
    // 50 single jobs (each its own arrayKey) against room for 40, some of it taken by earlier tests:
    // the executor counts slurmctld's records, submits what fits, and counts again until jobs left.
    // (Its first count was taken for the arrays above: a count during the singles means it was full.)
    let submitted = 0;
    let submittedWhenFull: number | undefined;
    const refused: string[] = [];
    executor.commands.onCommand((e) => {
      if (e.program === 'squeue' && e.args.includes('--format=%i')) submittedWhenFull ??= submitted;
      if (e.program === 'sbatch' && e.code === 0) submitted++;
      if (e.program === 'sbatch' && e.code !== 0) refused.push(e.args.join(' '));
    });
    const singles = Array.from({ length: 50 }, (_, i) => ({ ...task('true'), arrayKey: `single-${i}` }));
    const singleIds = await executor.submit(singles);
    expect(new Set(singleIds).size).toBe(50);
    expect(executor.commands.counts.get('sbatch')).toBe(53);
    expect(refused).toEqual([]);
    expect(submittedWhenFull).toBeLessThan(40);
    for (const id of [...arrayIds, ...singleIds])
      expect(await ended(executor, id)).toMatchObject({ state: 'done', exitCode: 0 });
  }, 400_000);

  it('ends a task that daemonized when it is cancelled (proctrack/cgroup)', async (context) => {
    const reason = slurm.cgroupUnavailable();
    if (reason !== undefined) return context.skip(`slurmd tracks processes without cgroups here: ${reason}`);
    const executor = make();
    // The daemon leaves the task's session and parent chain: only its cgroup still holds it.
    const spec = task(
      "setsid sh -c 'echo $$ > daemon.pid; exec sleep 300' </dev/null >/dev/null 2>&1 & sleep 300",
    );
    const [id] = await executor.submit([spec]);
    const pidFile = join(spec.cwd, 'daemon.pid');
    await waitUntil('the daemon to write its pid', () => /^\d+\n$/.test(readIfExists(pidFile) ?? ''), 60_000);
    const daemon = Number(readFileSync(join(spec.cwd, 'daemon.pid'), 'utf8'));
    expect(alive(daemon)).toBe(true);
    await executor.cancel([id!]);
    expect(await ended(executor, id!)).toMatchObject({ state: 'killed', reason: 'killed' });
    const deadline = Date.now() + 20_000;
    while (alive(daemon) && Date.now() < deadline) await sleep(200);
    expect(alive(daemon)).toBe(false);
  }, 120_000);
});
