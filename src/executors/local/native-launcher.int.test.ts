import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskSpec, TaskStatus } from '../executor.js';
import { hasEnded, waitFor, waitUntil } from '../test-support/executor-contract.js';
import { Launcher, nativeLauncherBuilt } from './launcher.js';
import { LocalExecutor } from './local-executor.js';
import { readProcStat } from '../proc-stat.js';
import { readLaunchRecords } from '../task-folder.js';

// Up to date with libexec/task-launcher.c (a no-op when it is; a note and no binary without a compiler).
execFileSync('bash', [fileURLToPath(new URL('../../../scripts/build-launcher.sh', import.meta.url))]);

const GRACE_MS = 500;

/** What the native launcher does beyond the contract (and the bash launcher does differently or not). */
describe.skipIf(!nativeLauncherBuilt())('native task launcher', () => {
  let root: string;
  let count = 0;
  const executors: LocalExecutor[] = [];
  const launchers: Launcher[] = [];
  const make = (): LocalExecutor => {
    const executor = new LocalExecutor({ killGraceMs: GRACE_MS, launcher: 'native' });
    executors.push(executor);
    return executor;
  };
  const task = (argv: string[], more: Partial<TaskSpec> = {}): TaskSpec => {
    const dir = join(root, `t${++count}`);
    mkdirSync(dir);
    const spec = { taskId: `t${count}`, argv, env: { PATH: '/usr/bin:/bin' } };
    return { ...spec, cwd: dir, logDir: join(dir, 'log'), resources: {}, after: [], ...more };
  };
  const run = async (spec: TaskSpec): Promise<TaskStatus> => {
    const executor = make();
    const [id] = await executor.submit([spec]);
    return waitFor(executor, id!, hasEnded, 20_000, 20);
  };
  const log = (spec: TaskSpec, name: string): string => readFileSync(join(spec.logDir, name), 'utf8');

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cohort-native-'));
  });
  afterAll(async () => {
    for (const executor of executors) await executor.close();
    for (const launcher of launchers) launcher.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('gives tasks default signal dispositions and an empty mask, whatever the launcher ignores', async () => {
    // The launcher ignores SIGPIPE and SIGUSR1; glibc's spawn would also leave its internal 32 and 33.
    const spec = task(['/bin/grep', '-E', '^Sig(Ign|Blk)', '/proc/self/status']);
    expect((await run(spec)).state).toBe('done');
    expect(log(spec, 'stdout.log')).toBe('SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n');
  });

  it('passes exactly the given environment, byte-exact, and argv to a program run without a shell', async () => {
    const env = { PATH: '/usr/bin:/bin', WEIRD: ' a "b" $(c) `d`\n\tü ✓ ', EMPTY: '', EQUALS: 'x=y=z' };
    const args = ['', ' lead', '$HOME', 'line1\nline2', '*', '-n', '\\'];
    const spec = task(['/usr/bin/env', '-0'], { env });
    expect((await run(spec)).state).toBe('done');
    expect(log(spec, 'stdout.log').split('\0').slice(0, -1)).toEqual(
      Object.entries(env).map(([name, value]) => `${name}=${value}`),
    );
    const printed = task(['/usr/bin/printf', '%s\\0', ...args]);
    expect((await run(printed)).state).toBe('done');
    expect(log(printed, 'stdout.log').split('\0').slice(0, -1)).toEqual(args);
  });

  it("looks the program up on the task's PATH, not the launcher's", async () => {
    const bin = join(root, 'own-bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'cohort-only-here'), '#!/bin/sh\necho found "$@"\n');
    chmodSync(join(bin, 'cohort-only-here'), 0o755);
    const spec = task(['cohort-only-here', 'it'], { env: { PATH: `/nonexistent:${bin}` } });
    expect((await run(spec)).state).toBe('done');
    expect(log(spec, 'stdout.log')).toBe('found it\n');
  });

  it('ends with 127 and says why when the program is not found, 126 for a file it cannot run', async () => {
    const missing = task(['cohort-no-such-program']);
    expect(await run(missing)).toMatchObject({ state: 'error', exitCode: 127 });
    expect(log(missing, 'stderr.log')).toMatch(/cohort-no-such-program: No such file or directory/);
    const plain = join(root, 'not-executable');
    writeFileSync(plain, 'true\n');
    const denied = task([plain]);
    expect(await run(denied)).toMatchObject({ state: 'error', exitCode: 126 });
    expect(log(denied, 'stderr.log')).toMatch(/Permission denied/);
  });

  it('kills what is left of the group after the grace, when the leader ended at its SIGTERM', async () => {
    // The subshell ignores TERM and outlives the shell that the time limit ended.
    const script = '(trap "" TERM; sleep 30) & echo $! > child; sleep 30';
    const spec = task(['/bin/sh', '-c', script], { resources: { timeMinutes: 0.01 } });
    const status = await run(spec);
    expect(status).toMatchObject({ state: 'error', reason: 'time limit', exitCode: 124 });
    // The same record as a cluster wrapper's, as the last line of `launch`.
    expect(log(spec, 'launch')).toMatch(/\0pid \d+ \d+ 0\.6\nexit 124 time-limit \S+ \d+ \d+\n$/);
    expect(existsSync(join(spec.logDir, 'exit'))).toBe(false); // no file of its own any more
    expect(existsSync(join(spec.logDir, 'time-limit'))).toBe(true);
    const child = Number(readFileSync(join(spec.cwd, 'child'), 'utf8'));
    expect(readProcStat(child)?.state).toBeDefined(); // still there during the grace...
    const gone = (): boolean => ['Z', undefined].includes(readProcStat(child)?.state);
    await waitUntil(`the leftover ${child} to be killed after the grace`, gone, GRACE_MS + 10_000); // ...and gone
  });

  it('does not start a task whose cancelled marker is there; reports it ended with 143', async () => {
    const ended: [number, number][] = [];
    const started: number[] = [];
    const launcher = new Launcher(
      { host: hostname(), graceSeconds: 0.5, kind: 'native' },
      { started: (seq) => started.push(seq), ended: (seq, code) => ended.push([seq, code]), lost: () => {} },
    );
    launchers.push(launcher);
    const spec = task(['/bin/sh', '-c', 'echo ran > ran']);
    mkdirSync(spec.logDir);
    writeFileSync(join(spec.logDir, 'cancelled'), 'now\n');
    launcher.launch(1, spec, spec.logDir, 0);
    await waitUntil('an exit record', () => readLaunchRecords(spec.logDir)?.exit !== undefined, 5000);
    await waitFor(make(), spec.logDir, hasEnded, 5000); // the folder alone tells it was killed
    expect((await make().status([spec.logDir])).get(spec.logDir)).toMatchObject({
      state: 'killed',
      exitCode: 143,
    });
    while (ended.length === 0) await sleep(10);
    expect(ended).toEqual([[1, 143]]);
    expect(started).toEqual([]);
    expect(readLaunchRecords(spec.logDir)?.started).toBeUndefined();
    expect(existsSync(join(spec.cwd, 'ran'))).toBe(false);
  });

  it('records the ends of its tasks after its input closed, then exits', async () => {
    const launcher = new Launcher(
      { host: hostname(), graceSeconds: 0.5, kind: 'native' },
      { started: () => {}, ended: () => {}, lost: () => {} },
    );
    const spec = task(['/bin/sh', '-c', 'sleep 0.5']);
    mkdirSync(spec.logDir);
    launcher.launch(1, spec, spec.logDir, 0);
    await waitUntil('a pid record', () => typeof readLaunchRecords(spec.logDir)?.started === 'object', 5000);
    const pid = readFileSync(join(spec.logDir, 'launch'), 'utf8').split(' ')[0];
    launcher.close(); // as when its runner is gone
    // Readers take a record only once its newline is there (parseLaunchRecords).
    await waitUntil('a complete exit record', () => readLaunchRecords(spec.logDir)?.exit !== undefined, 5000);
    // The exit record of the task-folder protocol: code, cause, host, start and end, after the pid line.
    const text = readFileSync(join(spec.logDir, 'launch'), 'utf8');
    expect(text).toMatch(new RegExp(`\0pid \\d+ \\d+ 0\nexit 0 exit ${hostname()} \\d+ \\d+\n$`));
    for (let i = 0; i < 100 && readProcStat(Number(pid)) !== undefined; i++) await sleep(20);
    expect(readProcStat(Number(pid))).toBeUndefined();
  });

  it('compacts the folders of ended tasks it is asked to, also after its runner is gone', async () => {
    const ended: number[] = [];
    const launcher = new Launcher(
      { host: hostname(), graceSeconds: 0.5, kind: 'native' },
      { started: () => {}, ended: (seq) => ended.push(seq), lost: () => {} },
    );
    const spec = task(['/bin/sh', '-c', 'echo out']);
    mkdirSync(spec.logDir);
    writeFileSync(join(spec.logDir, 'job.sh'), 'echo out\n'); // the job's own files stay
    launcher.launch(1, spec, spec.logDir, 0);
    await waitUntil('the end of the task', () => ended.length === 1, 5000);
    expect(launcher.compact([spec.logDir, join(root, 'removed already')])).toBe(true);
    launcher.close(); // the runner answers and exits: the launcher does it after
    const launchSize = (): number => statSync(join(spec.logDir, 'launch')).size;
    await waitUntil('the launch record emptied', () => launchSize() === 0, 5000);
    // The record (the task's environment) is gone; no file is removed, the empty log included (see
    // compact_folder), and the output and the job's script stay.
    expect(readdirSync(spec.logDir).sort()).toEqual(['job.sh', 'launch', 'stderr.log', 'stdout.log']);
    expect(readFileSync(join(spec.logDir, 'stdout.log'), 'utf8')).toBe('out\n');
    // The bash launcher cannot: its caller compacts the folders itself.
    const bash = new Launcher(
      { host: hostname(), graceSeconds: 0.5, kind: 'bash' },
      { started: () => {}, ended: () => {}, lost: () => {} },
    );
    expect(bash.compact([spec.logDir])).toBe(false);
  });
});
