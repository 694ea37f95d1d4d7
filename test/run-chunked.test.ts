import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCohort, runReport } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';

// `cohort run` creates a run of local tasks in chunks (src/runs/start-run.ts: 32 tasks, then doubling up
// to 128), submitting each at once: the later chunks' tasks must all exist and run, in order, and a runner
// killed between two chunks must not leave a run that `cohort resume` passes off as whole.

interface Row {
  id: number;
  item: string;
  job_index: number;
  state: string;
  started_at: number | null;
  ended_at: number | null;
}

function setup(subjects: number): { env: Record<string, string>; dir: string } {
  const dir = tempDir();
  const env = { COHORT_HOME: join(dir, 'home') };
  const demo = runCohort(['demo', '--subjects', String(subjects)], env);
  expect(demo.code, demo.stderr).toBe(0);
  return { env, dir };
}

/** A subject-level batch of `jobs` bash jobs running `script`. */
function batch(dir: string, jobs: number, script: string): string {
  const path = join(dir, 'batch.json');
  const list = Array.from({ length: jobs }, (_, i) => ({
    name: `step ${i + 1}`,
    language: 'bash',
    script: i === 0 ? script : 'true',
    args: [],
  }));
  writeFileSync(path, JSON.stringify({ name: 'chunks', level: 'subject', jobs: list }));
  return path;
}

function grid(env: Record<string, string>): Row[] {
  const all = runCohort(['grid', '--all', '--json'], env);
  return (JSON.parse(all.stdout) as { tasks: Row[] }).tasks.sort((a, b) => a.id - b.id);
}

describe('a run created in chunks', () => {
  it('creates and runs the tasks of every chunk, item by item, each item’s jobs in order', () => {
    const { env, dir } = setup(30);
    const run = runCohort(['run', batch(dir, 5, 'true'), '--json'], env); // 150 tasks: 32, 64, 54
    expect(run.code, run.stderr).toBe(0);
    expect(runReport<{ done: number }>(run.stdout).done).toBe(150);
    const tasks = grid(env);
    expect(tasks).toHaveLength(150);
    const items = [...new Set(tasks.map((t) => t.item))];
    expect(items).toHaveLength(30);
    // Ids in creation order: item by item, jobs in order within each.
    expect(tasks.map((t) => `${t.item}/${t.job_index}`)).toEqual(
      items.flatMap((item) => [0, 1, 2, 3, 4].map((j) => `${item}/${j}`)),
    );
    for (let i = 1; i < tasks.length; i++) {
      const [before, after] = [tasks[i - 1]!, tasks[i]!];
      if (after.item === before.item) expect(after.started_at).toBeGreaterThanOrEqual(before.ended_at ?? 0);
    }
  }, 120_000);

  it('tells `cohort resume` how many tasks of a run whose runner was killed while creating it exist', async () => {
    const { env, dir } = setup(300);
    // The first item's first task kills its runner (the run's folder names it) while the 3,000 tasks are
    // still being created: chunks of 32, 64, then 128 take far longer than a task's start.
    const killer = 'case "$COHORT_ITEM" in P001) kill -9 "$(cut -d" " -f1 ../runner)";; esac';
    const runner = spawn(process.execPath, [CLI, 'run', batch(dir, 10, killer)], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    const signal = await new Promise((resolve) => runner.once('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    const created = grid(env).length;
    expect(created).toBeGreaterThanOrEqual(32);
    expect(created).toBeLessThan(3000);

    const resume = runCohort(['resume'], env);
    expect(resume.code, resume.stdout + resume.stderr).toBe(1);
    expect(resume.stderr).toContain(
      `run 1: ${created} of 3000 tasks were created: its runner stopped while creating them, so the other ${3000 - created} will not run.`,
    );
    expect(resume.stderr).toMatch(/hint: its \d+ tasks are resumed; run the batch again/);
    // The tasks it has ran to their end, none twice; the run is told as partial once.
    const tasks = grid(env);
    expect(tasks).toHaveLength(created);
    expect(tasks.every((t) => t.state === 'done')).toBe(true);
    const again = runCohort(['resume'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe('');
  }, 180_000);
});
