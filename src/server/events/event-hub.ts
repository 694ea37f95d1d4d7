import type { Db } from '../../db/open-database.js';
import { projectName } from '../../catalog/project-store.js';
import {
  runOwners,
  tasksChangedSince,
  type EngineListener,
  type TaskRow,
  type TaskState,
} from '../../runs/index.js';
import type { TaskEvent } from '../api-types.js';
import { toGridTask } from '../grid-task.js';

/** How often the hub looks in the database for changes made by other processes (a CLI runner, a job). */
export const DB_POLL_MS = 1000;
// Writers stamp updated_at with their own clock before they commit: look back this far so that a
// change committed late is not missed (the seen map keeps it from being sent twice).
const LOOK_BACK_MS = 3000;

interface Subscriber {
  readonly projects: ReadonlySet<number>;
  readonly send: (event: TaskEvent) => void;
}

/**
 * Fans task changes out to SSE subscribers, each receiving only the projects it may read. Changes come
 * from the server's own engine ({@link EventHub.listener}, immediately) and from a poll of the tasks
 * table for changes other processes made; a change is sent once whichever way it arrives.
 */
export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  /** Last state and update time sent, per task id (pruned to the look-back window). */
  private readonly seen = new Map<number, { state: TaskState; updatedAt: number }>();
  private readonly names = new Map<number, string>();
  private readonly owners = new Map<number, string>();
  private watermark: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.watermark = now();
  }

  /** The engine listener that publishes the server's own changes. */
  listener(): EngineListener {
    return { taskChanged: (task, previous) => this.publish(task, previous) };
  }

  /** Subscribes to changes of the given projects; returns the unsubscribe function. */
  subscribe(projects: ReadonlySet<number>, send: (event: TaskEvent) => void): () => void {
    const subscriber = { projects, send };
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Starts polling the database for other processes' changes. */
  start(intervalMs = DB_POLL_MS): void {
    this.timer ??= setInterval(() => this.pollDatabase(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Sends a task change to the subscribers of its project, unless it was sent already. */
  publish(task: TaskRow, previous: TaskState | null): void {
    const last = this.seen.get(task.id);
    if (last !== undefined && last.state === task.state && last.updatedAt === task.updated_at) return;
    this.seen.set(task.id, { state: task.state, updatedAt: task.updated_at });
    if (this.subscribers.size === 0) return;
    const event: TaskEvent = {
      project: this.projectName(task.project_id),
      task: toGridTask(task, this.projectName(task.project_id), this.owner(task.run_id)),
      previous: previous ?? last?.state ?? null,
    };
    for (const s of this.subscribers) {
      if (!s.projects.has(task.project_id)) continue;
      try {
        s.send(event);
      } catch {
        // A subscriber whose connection broke is removed by its stream's abort handler.
      }
    }
  }

  /** Looks for task rows changed since the last look (also those of other processes). */
  pollDatabase(): void {
    const since = this.watermark - LOOK_BACK_MS;
    this.watermark = this.now();
    if (this.subscribers.size === 0) return;
    const rows = tasksChangedSince(this.db, since);
    for (const row of rows) this.publish(row, null);
    for (const [id, entry] of this.seen) if (entry.updatedAt < since - LOOK_BACK_MS) this.seen.delete(id);
  }

  private projectName(id: number): string {
    let name = this.names.get(id);
    if (name === undefined) {
      name = projectName(this.db, id) ?? '';
      this.names.set(id, name);
    }
    return name;
  }

  private owner(runId: number): string {
    let owner = this.owners.get(runId);
    if (owner === undefined) {
      owner = runOwners(this.db, [runId]).get(runId) ?? '';
      this.owners.set(runId, owner);
    }
    return owner;
  }
}
