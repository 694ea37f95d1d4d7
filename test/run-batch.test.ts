import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCatalog } from '../src/catalog/catalog.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { CLI, runCohort, runReport } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';

const T1 = ['t1_mprage*/s0__.nii', 'T1w*/*.nii.gz', '*T1_BRAVO/*.nii.gz'];

function batch(failFor: string | null, extra: Record<string, unknown> = {}): object {
  return {
    name: 'masks',
    level: 'study',
    jobs: [
      {
        name: 'Brain mask',
        language: 'bash',
        script: 'cp "$f1" "$o1"\necho "made $o1"',
        args: [
          { type: 'FILE', name: 'f1', patterns: T1, ref: { kind: 'current' } },
          {
            type: 'OUT',
            name: 'o1',
            path: "masks/brain 'mask' $(x).nii",
            ref: { kind: 'current' },
            tags: ['brainmask'],
          },
        ],
        options: { tagOnSuccess: 'masked' },
      },
      {
        name: 'Check',
        language: 'bash',
        script: `${failFor === null ? '' : `case "$COHORT_ITEM" in ${failFor}*) echo "bad scan in $COHORT_ITEM" >&2; exit 3;; esac\n`}echo ok > "$o1"\ncohort add "$o1" --tag checked`,
        args: [{ type: 'OUT', name: 'o1', path: 'masks/check.txt', ref: { kind: 'current' } }],
      },
    ],
    ...extra,
  };
}

function setup(subjects = 4): { env: Record<string, string>; dir: string } {
  const dir = tempDir();
  const env = { COHORT_HOME: join(dir, 'home') };
  const demo = runCohort(['demo', '--subjects', String(subjects)], env);
  expect(demo.code, demo.stderr).toBe(0);
  return { env, dir };
}

function write(dir: string, name: string, value: object): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('running batches on the local executor', () => {
  it('previews, runs, reports the failing subgroup, and reruns it fixed', () => {
    const { env, dir } = setup();
    const failing = write(dir, 'masks.json', batch('P003'));
    const preview = runCohort(['preview', failing, '--json'], env);
    expect(preview.code, preview.stderr).toBe(0);
    const resolution = JSON.parse(preview.stdout) as { summary: { total: number; ready: number } };
    expect(resolution.summary.ready).toBe(resolution.summary.total);

    const run = runCohort(['run', failing, '--json'], env);
    expect(run.code, run.stderr).toBe(1);
    const report = runReport<{
      runId: number;
      error: number;
      done: number;
    }>(run.stdout);
    const p003 = runCohort(['studies', 'P003', '--json'], env);
    const p003Studies = (JSON.parse(p003.stdout) as Array<{ ref: string }>).map((s) => s.ref);
    expect(report.error).toBe(p003Studies.length);
    expect(report.done).toBe(resolution.summary.total * 2 - p003Studies.length);

    const erroneous = JSON.parse(runCohort(['studies', 'JOB:e', '--json'], env).stdout) as Array<{
      ref: string;
    }>;
    expect(erroneous.map((s) => s.ref)).toEqual(p003Studies);
    const masks = runCohort(['select', 'tag:brainmask'], env).stdout.trim().split('\n');
    expect(masks).toHaveLength(resolution.summary.total);
    for (const m of masks) expect(readFileSync(m).length).toBeGreaterThan(1000);
    expect(runCohort(['select', '--studies', 'stag:masked'], env).stdout.trim().split('\n')).toHaveLength(
      resolution.summary.total,
    );

    const grid = JSON.parse(runCohort(['grid', '--state', 'error', '--json'], env).stdout) as {
      tasks: Array<{ id: number; error: string }>;
    };
    expect(grid.tasks).toHaveLength(p003Studies.length);
    expect(grid.tasks[0]?.error).toMatch(/exit code 3.*bad scan in P003/);
    const show = JSON.parse(runCohort(['grid', 'show', String(grid.tasks[0]?.id)], env).stdout) as {
      resolved: { argv: string[] };
    };
    expect(show.resolved.argv[0]).toBe('/bin/bash');
    expect(runCohort(['grid', 'log', String(grid.tasks[0]?.id), '--stderr'], env).stdout).toContain(
      'bad scan in P003',
    );

    const fixed = write(dir, 'fixed.json', batch(null));
    const rerun = runCohort(['rerun', String(report.runId), fixed, '--json'], env);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse(runCohort(['studies', 'JOB:e', '--json'], env).stdout)).toEqual([]);
    expect(runCohort(['select', 'tag:checked'], env).stdout.trim().split('\n')).toHaveLength(
      resolution.summary.total,
    );
  });

  it('drops the logs of successful tasks of a job with keepLogs: false, and keeps those of failures', () => {
    const { env, dir } = setup(2);
    const chatty = {
      name: 'chatty',
      level: 'subject',
      jobs: [
        {
          name: 'Talk',
          language: 'bash',
          script: 'echo lots of output\ncase "$COHORT_ITEM" in P002) exit 4;; esac',
          args: [],
          options: { keepLogs: false, onError: 'continue' },
        },
      ],
    };
    const run = runCohort(['run', write(dir, 'c.json', chatty), '--json'], env);
    const report = runReport<{
      tasks: Array<{ item: string; state: string; log_dir: string }>;
    }>(run.stdout);
    const byItem = new Map(report.tasks.map((t) => [t.item, t]));
    expect(byItem.get('P001')?.state).toBe('done');
    expect(existsSync(join(byItem.get('P001')?.log_dir ?? '', 'stdout.log'))).toBe(false);
    expect(byItem.get('P002')?.state).toBe('error');
    expect(readFileSync(join(byItem.get('P002')?.log_dir ?? '', 'stdout.log'), 'utf8')).toBe(
      'lots of output\n',
    );
  });

  it.each(['per-item', 'single', 'n-units'])('runs jobs in order in run mode %s', (mode) => {
    const { env, dir } = setup(3);
    const path = write(dir, 'b.json', batch('P002'));
    const run = runCohort(['run', path, '--mode', mode, '--units', '2', '--json'], env);
    expect(run.code, run.stderr).toBe(1);
    const report = runReport<{
      error: number;
      skipped: number;
      done: number;
    }>(run.stdout);
    const p002 = (JSON.parse(runCohort(['studies', 'P002', '--json'], env).stdout) as unknown[]).length;
    expect(report.error).toBe(p002);
    expect(report.done).toBeGreaterThan(0);
  });

  it('runs in the background with --no-wait, and a second resume leaves that run to its runner', async () => {
    const { env, dir } = setup(2);
    // The first job waits for a gate, so the run is still its runner's when `resume` asks (a fast
    // machine finished the whole run before).
    const gate = join(dir, 'gate');
    const gated = batch(null) as { jobs: { script: string }[] };
    gated.jobs[0]!.script = `while [ ! -e '${gate}' ]; do sleep 0.05; done\n${gated.jobs[0]!.script}`;
    const path = write(dir, 'b.json', gated);
    const started = runCohort(['run', path, '--no-wait', '--json'], env);
    expect(started.code, started.stderr).toBe(0);
    const { runId, tasks } = JSON.parse(started.stdout) as { runId: number; tasks: number };
    const resume = runCohort(['resume'], env);
    expect(resume.stderr).toMatch(
      new RegExp(`run ${runId}: its runner \\(process \\d+\\) is still running it`),
    );
    writeFileSync(gate, '');
    const done = await waitForTasks(env, 'done', tasks);
    expect(done).toHaveLength(tasks);
    const log = join(runFolder(env, runId), 'runner.log');
    for (let i = 0; i < 50 && !/finished/.test(readFileSync(log, 'utf8')); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(log, 'utf8')).toMatch(/Run \d+ finished: \d+ done, 0 error/);
  }, 60_000);

  it('kills, suspends and resumes tasks from another process, and survives the runner killed with -9', async () => {
    const { env, dir } = setup(3);
    // Job 1 waits for a gate the test opens only after the runner died; job 2 waits for it (chained),
    // so when the runner dies most tasks exist only in its memory queue, and `cohort resume` must
    // submit them again. (A fixed sleep raced with the test's own steps on a loaded machine.)
    const gate = join(dir, 'gate');
    const slow = {
      name: 'slow',
      level: 'study',
      jobs: [
        {
          name: 'Sleep',
          language: 'bash',
          script: 'echo start; while [ ! -e "$s1" ]; do sleep 0.1; done; echo end >> "$o1"',
          args: [
            { type: 'STRING', name: 's1', value: gate },
            { type: 'OUT', name: 'o1', path: 'slow/runs.txt', ref: { kind: 'current' } },
          ],
        },
        {
          name: 'After',
          language: 'bash',
          script: 'echo start; echo after >> "$o1"',
          args: [{ type: 'OUT', name: 'o1', path: 'slow/after.txt', ref: { kind: 'current' } }],
        },
      ],
    };
    const path = write(dir, 'slow.json', slow);
    const runner = spawn(process.execPath, [CLI, 'run', path], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    const running = await waitForTasks(env, 'running', 1);
    const victim = running[0] as number;
    expect(runCohort(['grid', 'suspend', String(victim)], env).code).toBe(0);
    await waitForTasks(env, 'suspended', 1);
    expect(runCohort(['grid', 'resume', String(victim)], env).code).toBe(0);
    expect(runCohort(['grid', 'kill', String(victim)], env).code).toBe(0);
    await waitForTasks(env, 'killed', 1);
    runner.kill('SIGKILL');
    await new Promise((r) => runner.once('exit', r));
    // A new runner picks up what the dead one left: running tasks are watched, never-started ones submitted.
    writeFileSync(gate, '');
    const resume = runCohort(['resume', '--json'], env);
    expect(resume.code, resume.stdout + resume.stderr).toBe(1); // one task was killed
    const tasks = JSON.parse(runCohort(['grid', '--all', '--json'], env).stdout) as {
      tasks: Array<{ state: string; log_dir: string }>;
    };
    const states = tasks.tasks.map((t) => t.state);
    expect(states.filter((s) => s === 'killed')).toHaveLength(1);
    expect(states.filter((s) => s === 'skipped')).toHaveLength(1); // the killed item's job 2
    expect(states.filter((s) => s === 'done')).toHaveLength(tasks.tasks.length - 2);
    for (const t of tasks.tasks.filter((x) => x.state === 'done')) {
      expect(readFileSync(join(t.log_dir, 'stdout.log'), 'utf8').match(/start/g)).toHaveLength(1); // never ran twice
    }
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  }, 120_000);
});

async function waitForTasks(env: Record<string, string>, state: string, count: number): Promise<number[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const grid = JSON.parse(runCohort(['grid', '--all', '--state', state, '--json'], env).stdout) as {
      tasks: Array<{ id: number }>;
    };
    if (grid.tasks.length >= count) return grid.tasks.map((t) => t.id);
    if (Date.now() > deadline) {
      const all = runCohort(['grid', '--all', '--json'], env).stdout;
      throw new Error(`no ${count} task(s) in state ${state}; the grid: ${all}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the credential of a running job', () => {
  it('reaches the task as COHORT_TOKEN, stays out of the provenance, and ends with the run', async () => {
    const { env, dir } = setup(1);
    const path = write(dir, 'token.json', {
      name: 'token',
      level: 'subject',
      jobs: [
        {
          name: 'Keep token',
          language: 'bash',
          script: 'printf %s "$COHORT_TOKEN" > "$o1"; echo "my token: $COHORT_TOKEN" >&2',
          args: [{ type: 'OUT', name: 'o1', path: 'token.txt', ref: { kind: 'analysis', name: 'jobs' } }],
        },
      ],
    });
    const run = runCohort(['run', path, '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const { runId, tasks } = runReport<{
      runId: number;
      tasks: Array<{ id: number }>;
    }>(run.stdout);
    const [project] = JSON.parse(runCohort(['projects', '--json'], env).stdout) as Array<{ root: string }>;
    const file = join(project?.root ?? '', 'analysis', 'jobs', 'token.txt');
    const secret = readFileSync(file, 'utf8');
    expect(secret).toMatch(/^\S{20,}$/);
    const show = runCohort(['grid', 'show', String(tasks[0]?.id)], env).stdout;
    expect(show).not.toContain(secret);
    // A job that prints its token: Cohort shows its log with the token masked.
    const log = runCohort(['grid', 'log', String(tasks[0]?.id), '--stderr'], env).stdout;
    expect(log).toContain('my token: [secret]');
    expect(log).not.toContain(secret);
    expect(statSync(runFolder(env, runId)).mode & 0o077).toBe(0);
    const { openDatabase } = await import('../src/db/open-database.js');
    const { resolveToken } = await import('../src/users/api-tokens.js');
    const db = openDatabase(join(env.COHORT_HOME as string, 'cohort.db'), { busyTimeoutMs: 5000 });
    try {
      const projectId = db.prepare('SELECT id FROM projects').pluck().get() as number;
      expect(projectId).toBeGreaterThan(0);
      // The run ended: its credential is revoked and its secret file gone (auth.test.ts covers its scope).
      expect(resolveToken(db, secret)).toBeUndefined();
      expect(existsSync(join(runFolder(env, runId), 'job-token'))).toBe(false);
    } finally {
      db.close();
    }
  });
});

/** A run's folder, in the catalog's own runs folder (Catalog.runsDir). */
function runFolder(env: Record<string, string | undefined>, runId: number): string {
  const catalog = openCatalog(resolveConfig({}, env));
  try {
    return join(catalog.runsDir, String(runId));
  } finally {
    catalog.close();
  }
}
