import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCohort, type CliRun } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';
import { writeTree } from './helpers/write-tree.js';

/**
 * `--no-wait` hands a run to a background `cohort resume`: it must work on the catalog and project the
 * command was given on its command line (they are not in the environment the runner inherits). Before
 * the fix, a catalog at a non-default --db left the run queued forever ("No catalog database at
 * $COHORT_HOME/cohort.db" in runner.log), and a default catalog with two projects made the runner stop
 * for want of --project.
 */

const OUT = 'out/ok.txt';

function batch(failing: string | null): object {
  const fail = failing === null ? '' : `case "$COHORT_ITEM" in ${failing}*) exit 3;; esac\n`;
  return {
    name: 'ok',
    level: 'study',
    jobs: [
      {
        name: 'Ok',
        language: 'bash',
        script: `${fail}echo ok > "$o1"`,
        args: [{ type: 'OUT', name: 'o1', path: OUT, ref: { kind: 'current' } }],
      },
    ],
  };
}

interface Catalog {
  readonly env: Record<string, string>;
  readonly dir: string;
  /** The options naming the catalog and project 'b' (the second of two). */
  readonly target: readonly string[];
}

/** Two projects, 'a' and 'b', in one catalog: at `$COHORT_HOME/cohort.db`, or elsewhere given by --db. */
function twoProjects(otherDb: boolean): Catalog {
  const dir = tempDir();
  const env = { COHORT_HOME: join(dir, 'home') };
  const db = otherDb ? ['--db', join(dir, 'elsewhere', 'cat.db')] : [];
  mkdirSync(join(dir, 'elsewhere'));
  for (const p of ['a', 'b']) {
    writeTree(join(dir, p), { 'S1/20200101/t1/f.nii': 'x', 'S2/20200101/t1/f.nii': 'x' });
    const made = runCohort(['create', p, join(dir, p), ...db], env);
    expect(made.code, made.stderr).toBe(0);
  }
  return { env, dir, target: [...db, '--project', 'b'] };
}

function cohort(c: Catalog, args: readonly string[]): CliRun {
  return runCohort([...args, ...c.target], c.env);
}

async function waitUntilDone(c: Catalog, runId: number, tasks: number): Promise<void> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const grid = cohort(c, ['grid', '--run', String(runId), '--all', '--json']);
    const done = (JSON.parse(grid.stdout) as { tasks: Array<{ state: string }> }).tasks.filter(
      (t) => t.state === 'done',
    ).length;
    if (done === tasks) return;
    if (Date.now() > deadline) {
      throw new Error(`run ${runId}: ${done} of ${tasks} done after 45 s\n${grid.stdout.slice(0, 2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function write(dir: string, name: string, value: object): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('a background runner works on the catalog and project it was started for', () => {
  for (const otherDb of [false, true]) {
    it(`run --no-wait and rerun --no-wait --project b${otherDb ? ' --db elsewhere' : ''}`, async () => {
      const c = twoProjects(otherDb);
      const started = cohort(c, ['run', write(c.dir, 'ok.json', batch(null)), '--no-wait', '--json']);
      expect(started.code, started.stderr).toBe(0);
      const run = JSON.parse(started.stdout) as { runId: number; tasks: number };
      expect(run.tasks).toBe(2);
      await waitUntilDone(c, run.runId, 2);
      for (const s of ['S1', 'S2']) {
        expect(existsSync(join(c.dir, 'b', s, '20200101', OUT))).toBe(true);
        expect(existsSync(join(c.dir, 'a', s, '20200101', OUT))).toBe(false);
      }

      // rerun goes the same way: a failed item, then the fixed batch in the background.
      const failed = cohort(c, ['run', write(c.dir, 'bad.json', batch('S2')), '--json']);
      expect(failed.code, failed.stderr).toBe(1);
      const failedRun = JSON.parse(failed.stdout.trim().split('\n').at(-1) ?? '') as { runId: number };
      const rerun = cohort(c, [
        'rerun',
        String(failedRun.runId),
        write(c.dir, 'fixed.json', batch(null)),
        '--no-wait',
        '--json',
      ]);
      expect(rerun.code, rerun.stderr).toBe(0);
      const again = JSON.parse(rerun.stdout) as { runId: number; tasks: number };
      expect(again.tasks).toBe(1);
      await waitUntilDone(c, again.runId, 1);
    }, 120_000);
  }
});
