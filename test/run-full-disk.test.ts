import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCatalog } from '../src/catalog/catalog.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { readExitRecord } from '../src/executors/index.js';
import { readProcStat } from '../src/executors/proc-stat.js';
import { readLaunchRecords } from '../src/executors/task-folder.js';
import { CLI, runCohort, runReport } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';
import { waitUntil } from './helpers/wait-until.js';
import { writeTree } from './helpers/write-tree.js';

// Issue 10, item 7: a disk that fills up during a run loses no task state. The home (catalog and run
// folders) lives on a real, small filesystem: a tmpfs of 2 MiB, mounted for the test. That needs root
// (or CAP_SYS_ADMIN), which the project's test machines give; where mount is refused, the test says so
// and fails rather than pretending.
const SIZE_KB = 2048;

/** Mounts a tmpfs of `kb` KiB on `dir`; returns the unmount. */
function mountSmallFilesystem(dir: string, kb: number): () => void {
  mkdirSync(dir, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k,mode=0700`, 'tmpfs', dir], {
    encoding: 'utf8',
  });
  if (mounted.status !== 0)
    throw new Error(`this test mounts a small tmpfs and needs root: ${mounted.stderr.trim()}`);
  return () => void spawnSync('umount', ['-l', dir]);
}

const FILL = {
  name: 'fill the disk',
  level: 'study',
  jobs: [
    {
      // Once its runner recorded the start of the run (a second is plenty), fills the disk holding the
      // home, then ends well once the test keeps it full.
      name: 'fill',
      language: 'bash',
      script:
        'sleep 1; head -c 100000000 /dev/zero > "$FILLER" 2>/dev/null; touch "$FILLED"; while [ ! -e "$KEPT_FULL" ]; do sleep 0.05; done; exit 0',
      args: [],
    },
    { name: 'after', language: 'bash', script: 'echo after', args: [] },
  ],
};

/**
 * Keeps the disk of `file` full: appends to it whenever anything frees a page (SQLite gives some back
 * when a write fails), until stopped; the file is removed then, and the disk has room again.
 */
function keepFull(file: string): { stop: () => Promise<void> } {
  const loop = spawn(
    'sh',
    ['-c', 'while :; do head -c 1000000 /dev/zero >> "$1" 2>/dev/null; sleep 0.01; done', 'fill', file],
    { stdio: 'ignore' },
  );
  return {
    stop: async () => {
      const gone = new Promise((r) => loop.once('exit', r));
      loop.kill('SIGKILL');
      await gone;
      rmSync(file);
    },
  };
}

function taskStates(env: Record<string, string>): string[] {
  const catalog = openCatalog(resolveConfig({}, env));
  try {
    return catalog.db.prepare('SELECT state FROM tasks ORDER BY id').pluck().all() as string[];
  } finally {
    catalog.close();
  }
}

interface Scenario {
  readonly env: Record<string, string>;
  readonly runner: ReturnType<typeof spawn>;
  readonly output: { stdout: string; stderr: string };
  readonly exited: Promise<number | null>;
  /** The first task's folder. */
  readonly fillDir: string;
  readonly full: { stop: () => Promise<void> };
}

/**
 * Starts `cohort run` on a home on a small tmpfs, fills the disk and keeps it full; returns once its
 * first job ended (`beforeTheEnd` runs just before the job may end).
 */
async function runUntilFull(
  dir: string,
  beforeTheEnd: (runner: Scenario['runner']) => Promise<void>,
): Promise<Scenario> {
  const home = join(dir, 'home');
  const root = join(dir, 'root');
  writeTree(root, { 'P001/20200101/t1/a.nii': 'a' });
  const batch = join(dir, 'fill.json');
  writeFileSync(batch, JSON.stringify(FILL));
  const filler = join(home, 'filler');
  const env = {
    COHORT_HOME: home,
    FILLER: filler,
    FILLED: join(dir, 'filled'),
    KEPT_FULL: join(dir, 'kept-full'),
  };
  expect(runCohort(['create', 'p', root], env).code).toBe(0);
  const catalog = openCatalog(resolveConfig({}, env));
  const fillDir = join(catalog.runsDir, '1', 'task-1');
  catalog.close();

  const runner = spawn(process.execPath, [CLI, 'run', batch, '--json'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  runner.stdout?.on('data', (d: Buffer) => (output.stdout += d.toString()));
  runner.stderr?.on('data', (d: Buffer) => (output.stderr += d.toString()));
  const exited = new Promise<number | null>((r) => runner.once('close', (c) => r(c)));
  await waitUntil('the job to fill the disk', () => existsSync(env.FILLED));
  const full = keepFull(filler);
  await beforeTheEnd(runner);
  // The job started before the disk filled up: its pid is in its `launch` file.
  const started = readLaunchRecords(fillDir)?.started;
  if (started === undefined || started === 'partial') throw new Error('the job has no pid record');
  writeFileSync(env.KEPT_FULL, '');
  // The job ends now; its launcher finds no room for the exit record, the runner none for the state.
  // Returns once the job's process is gone (reaped by its launcher), however slow the machine.
  await waitUntil('the job to end', () => readProcStat(started.pid) === undefined);
  return { env, runner, output, exited, fillDir, full };
}

describe('a full disk during a run', () => {
  it('loses no state: a task that succeeded while its exit record could not be written is done after `cohort resume`, even with its runner killed meanwhile', async () => {
    const dir = tempDir();
    const unmount = mountSmallFilesystem(join(dir, 'home'), SIZE_KB);
    try {
      // The worst case: the runner dies while the disk is full (before the job's end reaches it).
      const s = await runUntilFull(dir, async (runner) => {
        const killed = new Promise((r) => runner.once('exit', r));
        runner.kill('SIGKILL');
        await killed;
      });
      // The job has ended well. Its launcher appends the exit record to the task's `launch` file, whose
      // last page usually still has room on a full disk; where it had none, the launcher keeps the
      // record and tries again every second. Either way the catalog does not know yet.
      const recorded = readExitRecord(s.fillDir);
      if (recorded !== undefined) expect(recorded).toMatchObject({ code: 0, cause: 'exit' });
      await s.full.stop();
      // Nothing in the catalog knows how the first job ended: only the launcher does.
      expect(taskStates(s.env)[0]).toMatch(/^(queued|running)$/);

      const resumed = runCohort(['resume', '--json'], s.env);
      expect(resumed.code, `${resumed.stderr}\n(runner said: ${s.output.stderr})`).toBe(0);
      const report = runReport<{ tasks: { job_name: string; state: string; error: string | null }[] }>(
        resumed.stdout,
      );
      expect(report.tasks.map((t) => [t.job_name, t.state, t.error])).toEqual([
        ['fill', 'done', null],
        ['after', 'done', null],
      ]);
    } finally {
      unmount();
    }
  }, 60_000);

  it('a runner that lives through it records the true states once there is room, and says so in a line', async () => {
    const dir = tempDir();
    const unmount = mountSmallFilesystem(join(dir, 'home'), SIZE_KB);
    try {
      const s = await runUntilFull(dir, () => Promise.resolve());
      // The runner has met the full disk (it says so) before the disk has room again.
      await waitUntil('the runner to say it cannot record', () =>
        s.output.stderr.includes('cannot record task states'),
      );
      await s.full.stop();
      const code = await s.exited;
      const { stdout, stderr } = s.output;
      expect(code, stderr).toBe(0);
      const report = runReport<{ tasks: { job_name: string; state: string }[] }>(stdout);
      expect(report.tasks.map((t) => [t.job_name, t.state])).toEqual([
        ['fill', 'done'],
        ['after', 'done'],
      ]);
      // A full disk is said once per kind of failure (not four times a second), with what to do,
      // never as a stack trace.
      const lines = stderr.split('\n').filter((l) => l.includes('cannot record task states'));
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.length).toBeLessThanOrEqual(3);
      for (const line of lines) expect(line).toMatch(/Free some space/);
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      unmount();
    }
  }, 60_000);
});
