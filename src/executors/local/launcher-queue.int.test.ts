import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskSpec } from '../executor.js';
import { waitUntil } from '../test-support/executor-contract.js';
import { Launcher, nativeLauncherBuilt } from './launcher.js';

// Up to date with libexec/*.c (a no-op when it is; a note and no binary without a compiler).
execFileSync('bash', [fileURLToPath(new URL('../../../scripts/build-launcher.sh', import.meta.url))]);

/** The native launcher's queue of tasks handed over ahead (`Q`, `W`, `U`: libexec/launcher-io.h). */
describe.skipIf(!nativeLauncherBuilt())('native launcher queue', () => {
  let root: string;
  let count = 0;
  const launchers: Launcher[] = [];
  const task = (script: string): TaskSpec => {
    const dir = join(root, `t${++count}`);
    mkdirSync(join(dir, 'log'), { recursive: true });
    const spec = { taskId: `t${count}`, argv: ['/bin/sh', '-c', script], env: { PATH: '/usr/bin:/bin' } };
    return { ...spec, cwd: dir, logDir: join(dir, 'log'), resources: {}, after: [] };
  };
  /** A launcher with one slot, and the events it reported in order. */
  const make = (): { launcher: Launcher; events: string[] } => {
    const events: string[] = [];
    const launcher = new Launcher(
      { host: hostname(), graceSeconds: 0.5, kind: 'native', slots: 1 },
      {
        started: (seq) => events.push(`S${seq}`),
        ended: (seq, code) => events.push(`E${seq}:${code}`),
        returned: (seq) => events.push(`U${seq}`),
        lost: () => {},
      },
    );
    launchers.push(launcher);
    return { launcher, events };
  };
  const ran = (spec: TaskSpec): boolean => existsSync(join(spec.cwd, 'ran'));

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cohort-queue-'));
  });
  afterAll(() => {
    for (const launcher of launchers) launcher.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('starts tasks handed over ahead one slot at a time, first in, first out', async () => {
    const { launcher, events } = make();
    expect(launcher.ahead).toBe(true);
    const specs = [task('sleep 0.2; echo ran > ran'), task('echo ran > ran'), task('echo ran > ran')];
    specs.forEach((spec, i) => launcher.launch(i + 1, spec, spec.logDir, 0));
    await waitUntil('three ends', () => events.filter((e) => e.startsWith('E')).length === 3, 10_000);
    // Never two at once on one slot: each start follows the end before it.
    expect(events).toEqual(['S1', 'E1:0', 'S2', 'E2:0', 'S3', 'E3:0']);
    expect(specs.every(ran)).toBe(true);
  });

  it('gives back a waiting task that was withdrawn or held, and never starts it', async () => {
    const { launcher, events } = make();
    const [first, withdrawn, held, last] = [
      task('sleep 0.5'),
      task('echo ran > ran'),
      task('echo ran > ran'),
      task('echo ran > ran'),
    ];
    [first, withdrawn, held, last].forEach((spec, i) => launcher.launch(i + 1, spec, spec.logDir, 0));
    launcher.withdraw(2);
    writeFileSync(join(held.logDir, 'held'), 'now\n'); // `cohort grid hold` from another process
    await waitUntil('the last task to end', () => events.includes('E4:0'), 10_000);
    // `U2` as soon as the launcher read the withdrawal (with the requests, or right after the first start).
    expect(events.filter((e) => e !== 'U2')).toEqual(['S1', 'E1:0', 'U3', 'S4', 'E4:0']);
    expect(events).toContain('U2');
    expect([ran(withdrawn), ran(held), ran(last)]).toEqual([false, false, true]);
    // Given back: no `launch` left, so any reader sees a task that never reached a launcher.
    expect(existsSync(join(withdrawn.logDir, 'launch'))).toBe(false);
    expect(existsSync(join(held.logDir, 'launch'))).toBe(false);
  });

  it('drops the waiting tasks and their launch files when its runner is gone', async () => {
    const { launcher, events } = make();
    const [running, waiting] = [task('sleep 0.3; echo ran > ran'), task('echo ran > ran')];
    launcher.launch(1, running, running.logDir, 0);
    launcher.launch(2, waiting, waiting.logDir, 0);
    await waitUntil('the first start', () => events.includes('S1'), 5000);
    launcher.close(); // as after kill -9 of the runner
    await waitUntil('the running task to finish', () => ran(running), 5000);
    await waitUntil('the waiting launch file gone', () => !existsSync(join(waiting.logDir, 'launch')), 5000);
    expect(ran(waiting)).toBe(false);
  });
});
