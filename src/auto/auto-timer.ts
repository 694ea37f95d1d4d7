import type { Catalog } from '../catalog/catalog.js';
import { getProjectById } from '../catalog/project-store.js';
import type { RunDriver } from '../runs/index.js';
import { projectIdsWithRules } from './auto-store.js';
import { fireRules, type RuleFiring } from './fire-rules.js';

/**
 * Every how often `cohort serve` fires the rules: new data arrives from other processes (a scanner's
 * export, a rescan in a shell) and `quiet` triggers need the clock. Firing a rule that finds nothing
 * new costs a few indexed queries per rule.
 */
export const AUTO_FIRE_MS = 15_000;

/**
 * Fires every project's rules now and then, with the server's supervisor as the driver of their runs.
 * One firing at a time: a slow one is never overlapped by the next tick.
 */
export class AutoTimer {
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> | undefined;

  constructor(
    private readonly catalog: Catalog,
    private readonly driver: RunDriver,
    private readonly intervalMs: number = AUTO_FIRE_MS,
    private readonly onFired: (project: string, results: readonly RuleFiring[]) => void = report,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.fireNow(), this.intervalMs);
    this.timer.unref();
  }

  /** Fires all projects' rules once (also what a tick does); resolves when done. */
  fireNow(): Promise<void> {
    this.busy ??= this.fireAll().finally(() => (this.busy = undefined));
    return this.busy;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.busy;
  }

  private async fireAll(): Promise<void> {
    for (const id of projectIdsWithRules(this.catalog.db)) {
      try {
        const project = getProjectById(this.catalog.db, id);
        const results = await fireRules(this.catalog, project, { source: 'serve', driver: this.driver });
        this.onFired(project.name, results);
      } catch (error) {
        console.error(`cohort server: autoexec: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

function report(project: string, results: readonly RuleFiring[]): void {
  for (const r of results) {
    for (const run of r.runs)
      console.error(
        `cohort server: autoexec rule '${r.rule}' of ${project} started run ${run.runId} on ${run.items.length} item(s)`,
      );
  }
}
