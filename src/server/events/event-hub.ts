import { randomBytes } from 'node:crypto';
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
/** Events kept for clients that reconnect with Last-Event-ID: a minute of a busy grid. */
export const REPLAY_EVENTS = 10_000;

/** A task event with its stream id (`<server epoch>.<sequence>`) and project. */
export interface StampedEvent {
  readonly id: string;
  readonly seq: number;
  readonly projectId: number;
  readonly event: TaskEvent;
}

interface Subscriber {
  readonly projects: ReadonlySet<number>;
  readonly send: (event: StampedEvent) => void;
}

export interface EventHubOptions {
  /**
   * Loses the events it returns true for (never sent, never replayed), as a dropped connection or a
   * missed poll would: tests prove with it that the web grid converges without them.
   */
  readonly drop?: (event: TaskEvent) => boolean;
}

/**
 * Fans task changes out to SSE subscribers, each receiving only the projects it may read. Changes come
 * from the server's own engine ({@link EventHub.listener}, immediately) and from a poll of the tasks
 * table for changes other processes made; a change is sent once whichever way it arrives. Every event
 * gets an id and the last {@link REPLAY_EVENTS} are kept, so a reconnecting client misses nothing.
 */
export class EventHub {
  /** Distinguishes this server's ids from a previous server's: their sequences restart at 1. */
  readonly epoch = randomBytes(4).toString('hex');
  private readonly subscribers = new Set<Subscriber>();
  /** Last state and update time sent, per task id (pruned to the look-back window). */
  private readonly seen = new Map<number, { state: TaskState; updatedAt: number }>();
  private readonly names = new Map<number, string>();
  private readonly owners = new Map<number, string>();
  private readonly recent: StampedEvent[] = [];
  private seq = 0;
  private watermark: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
    private readonly options: EventHubOptions = {},
  ) {
    this.watermark = now();
  }

  /** The engine listener that publishes the server's own changes. */
  listener(): EngineListener {
    return { taskChanged: (task, previous) => this.publish(task, previous) };
  }

  /** Subscribes to changes of the given projects; returns the unsubscribe function. */
  subscribe(projects: ReadonlySet<number>, send: (event: StampedEvent) => void): () => void {
    const subscriber = { projects, send };
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /**
   * The kept events after `lastEventId` (a client's Last-Event-ID), or 'gap' when some it missed are
   * no longer kept or the id is another server's: the client must reload instead.
   */
  since(lastEventId: string): StampedEvent[] | 'gap' {
    const [epoch, seqText] = lastEventId.split('.');
    const seq = Number(seqText);
    if (epoch !== this.epoch || !Number.isSafeInteger(seq) || seq < 0 || seq > this.seq) return 'gap';
    const oldest = this.recent[0]?.seq ?? this.seq + 1;
    if (seq + 1 < oldest) return 'gap';
    return this.recent.filter((e) => e.seq > seq);
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
    const event: TaskEvent = {
      project: this.projectName(task.project_id),
      task: toGridTask(task, this.projectName(task.project_id), this.owner(task.run_id)),
      previous: previous ?? last?.state ?? null,
    };
    if (this.options.drop?.(event) === true) return;
    this.seq += 1;
    const stamped: StampedEvent = {
      id: `${this.epoch}.${this.seq}`,
      seq: this.seq,
      projectId: task.project_id,
      event,
    };
    this.recent.push(stamped);
    if (this.recent.length > REPLAY_EVENTS) this.recent.splice(0, this.recent.length - REPLAY_EVENTS);
    for (const s of this.subscribers) {
      if (!s.projects.has(task.project_id)) continue;
      try {
        s.send(stamped);
      } catch {
        // A subscriber whose connection broke is removed by its stream's abort handler.
      }
    }
  }

  /** Looks for task rows changed since the last look (also those of other processes). */
  pollDatabase(): void {
    const since = this.watermark - LOOK_BACK_MS;
    this.watermark = this.now();
    // Also without subscribers: a client between two connections gets these replayed.
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
