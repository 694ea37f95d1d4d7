import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setLogRetentionDays } from '../catalog/project-store.js';
import { collectGarbage, sweepDaily } from './collect-garbage.js';
import { createEngineFixture, type EngineFixture } from './engine-fixture.js';
import { claimRun, releaseRun } from './run-owner.js';
import { clearTasks } from './store/task-store.js';

const DAY = 24 * 60 * 60 * 1000;

let f: EngineFixture;
beforeEach(async () => {
  f = await createEngineFixture();
});
afterEach(() => f.close());

/** A run of one job over P001 and P002: P001's task succeeds, P002's fails. */
async function endedRun(): Promise<number> {
  const run = f.run([{}]);
  await f.engine.submitRun(run);
  for (const [item, code] of [
    ['P001#1', 0],
    ['P002#1', 1],
  ] as const) {
    const id = f.executorId(run, item, 0);
    f.local.start(id);
    f.local.finish(id, code);
  }
  await f.engine.waitForRun(run, { pollMs: 1 });
  for (const t of f.tasks(run)) writeFileSync(join(t.log_dir, 'stdout.log'), 'x'.repeat(1000));
  return run;
}

describe('the retention rule', () => {
  it("removes successful tasks' folders after the project's days, keeps failures, and counts bytes", async () => {
    const run = await endedRun();
    const [done, failed] = f.tasks(run);
    expect(collectGarbage(f.catalog, { now: Date.now() + 29 * DAY })).toMatchObject({ expired: 0 });
    const report = collectGarbage(f.catalog, { now: Date.now() + 31 * DAY });
    expect(report).toMatchObject({ expired: 1, cleared: 0, runs: 0 });
    expect(report.bytes).toBeGreaterThanOrEqual(1000);
    expect(existsSync(done!.log_dir)).toBe(false);
    expect(existsSync(failed!.log_dir)).toBe(true);
  });

  it("follows the project's setting, and never removes with 'never' (null)", async () => {
    await endedRun();
    setLogRetentionDays(f.catalog.db, f.project.id, null);
    expect(collectGarbage(f.catalog, { now: Date.now() + 1000 * DAY }).expired).toBe(0);
    setLogRetentionDays(f.catalog.db, f.project.id, 0);
    expect(collectGarbage(f.catalog).expired).toBe(1);
  });

  it('removes cleared tasks at once and the run folder once none is left; a dry run removes nothing', async () => {
    const run = await endedRun();
    const runDir = join(f.tasks(run)[0]!.log_dir, '..');
    clearTasks(f.catalog.db, f.project.id, true);
    expect(collectGarbage(f.catalog, { dryRun: true })).toMatchObject({ cleared: 2, runs: 1 });
    expect(readdirSync(runDir).filter((n) => n.startsWith('task-'))).toHaveLength(2);
    expect(collectGarbage(f.catalog)).toMatchObject({ cleared: 2, runs: 1 });
    expect(existsSync(runDir)).toBe(false);
  });

  it('leaves runs with a live owner alone, and sweeps at most once a day, the first a day after the first run', async () => {
    const run = await endedRun();
    const runDir = join(f.tasks(run)[0]!.log_dir, '..');
    clearTasks(f.catalog.db, f.project.id, true);
    claimRun(f.catalog.runsDir, run);
    expect(collectGarbage(f.catalog)).toMatchObject({ cleared: 0, runs: 0 });
    releaseRun(f.catalog.runsDir, run);
    const now = Date.now();
    // A new catalog's first run only sets the stamp.
    expect(sweepDaily(f.catalog, now)).toBeUndefined();
    expect(readdirSync(runDir).filter((n) => n.startsWith('task-'))).toHaveLength(2);
    const stamp = join(f.catalog.runsDir, '.gc');
    utimesSync(stamp, new Date(now - DAY - 1000), new Date(now - DAY - 1000));
    expect(sweepDaily(f.catalog, now)).toMatchObject({ cleared: 2 });
    expect(sweepDaily(f.catalog, now)).toBeUndefined();
  });
});

describe('task ids', () => {
  it('are never reused after grid clear removed the newest tasks', async () => {
    const run = await endedRun();
    const before = Math.max(...f.tasks(run).map((t) => t.id));
    clearTasks(f.catalog.db, f.project.id, true);
    const next = f.run([{}]);
    expect(Math.min(...f.tasks(next).map((t) => t.id))).toBeGreaterThan(before);
  });
});
