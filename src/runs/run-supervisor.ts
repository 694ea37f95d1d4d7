import type { Catalog } from '../catalog/catalog.js';
import { Engine } from './engine.js';
import type { EngineListener } from './engine-listener.js';
import { claimRun, releaseRun } from './run-owner.js';
import { ACTIVE_STATES } from './task-states.js';
import { activeCountOfRun } from './store/task-store.js';
import { ExecutorSet } from '../executors/executor-set.js';
import { executorFactory } from '../executors/make-executor.js';
import { submitOwnedRun } from './drive-run.js';

/** How often the server asks the executors about the runs it drives (like the CLI's runner). */
export const SUPERVISOR_POLL_MS = 250;

/**
 * The engine of the server process: it owns the runs started over the API (their queued local tasks
 * live in this process, as in a `cohort run`), polls them in one loop until each ended, and releases
 * them. Polls never overlap: two concurrent polls could both see a task end and register its outputs
 * twice, so grid actions poll through {@link RunSupervisor.poll} too.
 */
export class RunSupervisor {
  readonly executors: ExecutorSet;
  private readonly engine: Engine;
  private readonly owned = new Set<number>();
  private polling: Promise<void> = Promise.resolve();
  private loop: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly catalog: Catalog,
    listeners: readonly EngineListener[],
    private readonly pollMs = SUPERVISOR_POLL_MS,
    executors: ExecutorSet = new ExecutorSet(executorFactory(catalog.config)),
  ) {
    this.executors = executors;
    this.engine = new Engine(catalog, executors, listeners);
  }

  /** Takes a created run, submits it and watches it until it ends. @throws CohortError CONFLICT when another runner owns it. */
  async start(runId: number): Promise<void> {
    await submitOwnedRun(this.engine, this.catalog.config.home, runId);
    this.owned.add(runId);
    this.loop ??= this.watch();
  }

  /**
   * At start: takes over the runs with active tasks whose runner is gone (a server or `cohort run` that
   * crashed), like `cohort resume`: tasks that never started are submitted again, the others watched.
   * Returns the run ids taken over.
   */
  async adoptOrphans(): Promise<number[]> {
    const home = this.catalog.config.home;
    const active = this.catalog.db
      .prepare(
        `SELECT DISTINCT run_id FROM tasks WHERE state IN (${ACTIVE_STATES.map(() => '?').join(', ')})`,
      )
      .pluck()
      .all(...ACTIVE_STATES) as number[];
    const orphans = active.filter((runId) => !this.owned.has(runId) && claimRun(home, runId) === undefined);
    if (orphans.length === 0) return [];
    try {
      await this.engine.reconcile(orphans);
    } catch (error) {
      for (const runId of orphans) releaseRun(home, runId);
      throw error;
    }
    for (const runId of orphans) this.owned.add(runId);
    this.loop ??= this.watch();
    return orphans;
  }

  /** One poll of the executors, after any poll in progress. */
  poll(): Promise<void> {
    const next = this.polling.then(
      () => this.engine.poll(),
      () => this.engine.poll(),
    );
    this.polling = next.catch(() => undefined);
    return next;
  }

  /** Runs this server drives and that have not ended. */
  activeRuns(): readonly number[] {
    return [...this.owned];
  }

  /** Stops watching (tasks keep running; `cohort resume` picks their runs up) and closes the executors. */
  async close(): Promise<void> {
    this.closed = true;
    await this.loop;
    for (const runId of this.owned) releaseRun(this.catalog.config.home, runId);
    this.owned.clear();
    await this.executors.close();
  }

  private async watch(): Promise<void> {
    while (!this.closed && this.owned.size > 0) {
      try {
        await this.poll();
        for (const runId of [...this.owned]) {
          if (activeCountOfRun(this.catalog.db, runId) > 0) continue;
          this.owned.delete(runId);
          releaseRun(this.catalog.config.home, runId);
        }
      } catch (error) {
        // A failing poll (database busy, an executor error) must not stop the watch of every run.
        console.error('cohort server: poll failed:', error);
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
    this.loop = undefined;
  }
}
