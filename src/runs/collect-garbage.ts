import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { logRetentionDays } from '../catalog/project-store.js';
import { runOwner } from './run-owner.js';
import { taskEndsOfRun, type TaskEnd } from './store/task-store.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The once-a-day sweep's stamp in the catalog's runs folder. */
const SWEEP_STAMP = '.gc';

export interface GarbageOptions {
  /** Keep successful tasks' folders this many days (default: each project's setting). */
  readonly days?: number;
  /** Only count what would go. */
  readonly dryRun?: boolean;
  readonly now?: number;
}

export interface GarbageReport {
  /** Folders of successful tasks older than their project's retention. */
  readonly expired: number;
  /** Folders of tasks removed from the grid (`grid clear`). */
  readonly cleared: number;
  /** Run folders left without tasks. */
  readonly runs: number;
  readonly bytes: number;
}

/**
 * Applies the retention rule to the catalog's run folders: the folder of a successful (done) task goes
 * after its project's `log_retention_days` (or `days`), the folder of a task removed from the grid
 * goes at once, and a run folder goes once none of its tasks is left. Failed tasks keep their logs
 * until they are cleared: they are kept for analysis. Runs with a live owner are left alone.
 */
export function collectGarbage(catalog: Catalog, options: GarbageOptions = {}): GarbageReport {
  const now = options.now ?? Date.now();
  const retention = logRetentionDays(catalog.db);
  const report = { expired: 0, cleared: 0, runs: 0, bytes: 0 };
  for (const run of runFolders(catalog.runsDir)) {
    if (runOwner(catalog.runsDir, run.id) !== undefined) continue;
    const tasks = taskEndsOfRun(catalog.db, run.id);
    let left = 0;
    for (const name of readdirSync(run.path)) {
      const id = /^task-(\d+)$/.exec(name)?.[1];
      if (id === undefined) continue;
      const task = tasks.get(Number(id));
      const why =
        task === undefined ? 'cleared' : expired(task, options.days ?? retention.get(task.project_id), now);
      if (why === undefined) {
        left++;
        continue;
      }
      report[why]++;
      report.bytes += remove(join(run.path, name), options.dryRun === true);
    }
    if (left === 0 && tasks.size === 0) {
      report.runs++;
      report.bytes += remove(run.path, options.dryRun === true);
    }
  }
  return report;
}

/**
 * The owner's sweep when a run ends: at most once a day per catalog (a stamp in the runs folder), so
 * a busy catalog does not walk its run folders after every run. The first run's end only sets the
 * stamp: the first sweep comes a day later. A new catalog holds nothing retention removes (every run
 * in it is younger than a day), and its first run, which may be a biobank's 100,000 tasks, should not
 * end with a walk of all their folders; tasks cleared meanwhile wait for that sweep or `cohort gc`.
 */
export function sweepDaily(catalog: Catalog, now = Date.now()): GarbageReport | undefined {
  const stamp = join(catalog.runsDir, SWEEP_STAMP);
  let swept: number | undefined;
  try {
    swept = statSync(stamp).mtimeMs;
  } catch {
    // never swept
  }
  if (swept !== undefined && now - swept < DAY_MS) return undefined;
  if (!existsSync(catalog.runsDir)) return undefined;
  writeFileSync(stamp, `${new Date(now).toISOString()}\n`);
  if (swept === undefined) return undefined;
  return collectGarbage(catalog, { now });
}

function expired(task: TaskEnd, days: number | undefined, now: number): 'expired' | undefined {
  if (days === undefined || task.state !== 'done' || task.ended_at === null) return undefined;
  return now - task.ended_at >= days * DAY_MS ? 'expired' : undefined;
}

function runFolders(runsDir: string): Array<{ id: number; path: string }> {
  let names: string[];
  try {
    names = readdirSync(runsDir);
  } catch {
    return [];
  }
  return names.filter((n) => /^\d+$/.test(n)).map((n) => ({ id: Number(n), path: join(runsDir, n) }));
}

/** Removes a file tree (unless `dryRun`); returns its size in bytes. */
function remove(path: string, dryRun: boolean): number {
  const bytes = sizeOf(path);
  if (!dryRun) rmSync(path, { recursive: true, force: true });
  return bytes;
}

function sizeOf(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return 0;
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), stat.size);
}
