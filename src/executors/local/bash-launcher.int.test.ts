import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLaunchOwner, readLaunchRecords } from '../task-folder.js';
import { Launcher } from './launcher.js';

/** Tasks in the stress loop: enough for the old launcher to misreport some (1-3 % did), short under load. */
const TASKS = 300;
const PARALLEL = 8;
/** Busy loops beside it: the race needed a loaded machine, so the test makes one. */
const HOGS = 3;

/**
 * The bash launcher under forced load (issue 10): every task's exit code must come back as it was.
 * Before the fix the runner woke the launcher with SIGUSR1 out of `wait -n`; a signal landing while bash
 * reaped a task reported its exit 3 as 0 (5 to 12 of 400 tasks here). The signals are sent here too, as
 * an older runner would, to show they can no longer disturb it.
 */
describe('bash task launcher under load', () => {
  let root: string;
  const hogs: ChildProcess[] = [];

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cohort-bash-launcher-'));
    for (let i = 0; i < HOGS; i++)
      hogs.push(spawn('/bin/sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
  });
  afterAll(() => {
    for (const hog of hogs) hog.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('reports every exit code as the task gave it, with signals arriving throughout', async () => {
    const codeOf = (seq: number): number => [3, 0, 5][seq % 3]!;
    const reported = new Map<number, number>();
    let next = 0;
    let running = 0;
    let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
    const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    const launcher: Launcher = new Launcher(
      { host: 'stress', graceSeconds: 1, kind: 'bash' },
      {
        started: () => undefined,
        ended: (seq, code) => {
          reported.set(seq, code);
          running--;
          if (reported.size === TASKS) settle?.resolve();
          else pump();
        },
        lost: () => settle?.reject(new Error('the launcher died')),
      },
    );
    const pump = (): void => {
      while (running < PARALLEL && next < TASKS) {
        const seq = next++;
        const dir = join(root, String(seq));
        mkdirSync(dir);
        const argv = ['/bin/sh', '-c', `exit ${codeOf(seq)}`];
        const spec = { taskId: String(seq), argv, env: { PATH: '/usr/bin:/bin' }, cwd: dir, logDir: dir };
        launcher.launch(seq, { ...spec, resources: {}, after: [] }, dir, 0);
        running++;
      }
    };
    pump();
    const pid = readLaunchOwner(join(root, '0'))!.pid;
    const signals = setInterval(() => {
      try {
        process.kill(pid, 'SIGUSR1');
      } catch {
        // ended: `lost` says so
      }
    }, 1);
    try {
      await finished;
    } finally {
      clearInterval(signals);
      launcher.close();
    }
    const wrong = [...reported].filter(([seq, code]) => code !== codeOf(seq));
    expect(wrong).toEqual([]);
    // The exit records say the same as the reports.
    for (const seq of [0, 1, 2, TASKS - 1])
      expect(readLaunchRecords(join(root, String(seq)))?.exit?.code).toBe(codeOf(seq));
  }, 120_000);
});
