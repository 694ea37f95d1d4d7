import { mkdirSync } from 'node:fs';
import { CohortError } from '../../errors/cohort-error.js';
import type { EndCause, Executor, TaskSpec, TaskStatus } from '../executor.js';
import type { ExecutorKind } from '../executor-kinds.js';
import { CAUSE_WORDS } from '../task-folder.js';

/** A task the memory executor holds. */
interface MemoryTask {
  readonly id: string;
  readonly spec: TaskSpec;
  /** Executor ids of its dependencies, with their kind. */
  readonly after: readonly { readonly id: string; readonly kind: 'ok' | 'any' }[];
  status: TaskStatus;
}

export interface MemoryExecutorOptions {
  /** The kind it stands in for (an ExecutorSet keys executors by kind). Default `local`. */
  readonly kind?: ExecutorKind;
  /** The host its tasks run on. Default `memory`. */
  readonly host?: string;
  /** Whether it tells its changes (`takeChanges`), as the local executor does. Default true. */
  readonly tellsChanges?: boolean;
}

/**
 * An Executor that runs nothing: its tasks advance only when a test says so (`start`, `finish`, `fail`),
 * so a test of the run engine controls every step and runs in milliseconds. Dependencies are honoured
 * as on a real backend: a task cannot start before its dependencies ended, and a task whose `ok`
 * dependency did not succeed ends at once with cause `dependency-failed`. `forget` stands for a runner
 * that died: tasks it had not started are no longer known.
 *
 * @example
 * const executor = new MemoryExecutor();
 * const [id] = await executor.submit([spec]);
 * executor.start(id!);
 * executor.finish(id!, 0); // status: { state: 'done', cause: 'exit', exitCode: 0 }
 */
export class MemoryExecutor implements Executor {
  readonly kind: ExecutorKind;
  /** Every spec handed to `submit`, in order. */
  readonly submitted: TaskSpec[] = [];
  /** How many times `submit` and `status` were called (an engine test may count scheduler calls). */
  readonly calls = { submit: 0, status: 0, cancel: 0 };
  private readonly tasks = new Map<string, MemoryTask>();
  private readonly host: string;
  private changes = new Set<string>();
  private next = 0;
  private closed = false;

  constructor(options: MemoryExecutorOptions = {}) {
    this.kind = options.kind ?? 'local';
    this.host = options.host ?? 'memory';
    if (options.tellsChanges ?? true) {
      this.takeChanges = () => {
        const changes = this.changes;
        this.changes = new Set();
        return changes;
      };
    }
  }

  submit(specs: readonly TaskSpec[]): Promise<string[]> {
    this.calls.submit++;
    if (this.closed) return Promise.reject(new CohortError('NOT_AVAILABLE', 'This executor was closed'));
    const earlier = new Map<string, string>();
    const ids: string[] = [];
    for (const spec of specs) {
      const id = `${this.kind}-${++this.next}`;
      const after = spec.after.map((d) => ({ id: earlier.get(d.id) ?? d.id, kind: d.kind }));
      // Like every executor, it makes the task's folder where the engine left none (tests write into it).
      mkdirSync(spec.logDir, { recursive: true });
      this.tasks.set(id, { id, spec, after, status: { state: 'queued' } });
      this.submitted.push(spec);
      earlier.set(spec.taskId, id);
      ids.push(id);
      this.changes.add(id);
    }
    this.settle();
    return Promise.resolve(ids);
  }

  status(ids: readonly string[]): Promise<Map<string, TaskStatus>> {
    this.calls.status++;
    return Promise.resolve(
      new Map(ids.map((id) => [id, this.tasks.get(id)?.status ?? { state: 'unknown' }])),
    );
  }

  cancel(ids: readonly string[]): Promise<void> {
    this.calls.cancel++;
    for (const id of ids) {
      const task = this.tasks.get(id);
      if (task !== undefined && !ended(task.status)) this.end(task, 'cancelled');
    }
    this.settle();
    return Promise.resolve();
  }

  suspend(ids: readonly string[]): Promise<void> {
    this.move(ids, 'running', 'suspended');
    return Promise.resolve();
  }

  resume(ids: readonly string[]): Promise<void> {
    this.move(ids, 'suspended', 'running');
    return Promise.resolve();
  }

  hold(ids: readonly string[]): Promise<void> {
    this.move(ids, 'queued', 'held');
    return Promise.resolve();
  }

  release(ids: readonly string[]): Promise<void> {
    this.move(ids, 'held', 'queued');
    return Promise.resolve();
  }

  /** Ids submitted, started, ended or acted on since the last call (left out with `tellsChanges: false`). */
  readonly takeChanges?: () => ReadonlySet<string>;

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  // --- What the test says happens -------------------------------------------------------------------

  /** Starts a queued task; throws when it is not queued or a dependency has not ended. */
  start(id: string, startedAt = Date.now()): void {
    const task = this.get(id);
    if (task.status.state !== 'queued') throw new Error(`task ${id} is ${task.status.state}, not queued`);
    const waiting = task.after.find((d) => !ended(this.tasks.get(d.id)?.status ?? { state: 'unknown' }));
    if (waiting !== undefined) throw new Error(`task ${id} waits for ${waiting.id}`);
    task.status = { state: 'running', host: this.host, startedAt };
    this.changes.add(id);
  }

  /** Ends a running (or suspended) task by its own exit with `code` (0: done). */
  finish(id: string, code = 0, endedAt = Date.now()): void {
    const task = this.running(id);
    const times = this.times(task, endedAt);
    task.status =
      code === 0
        ? { state: 'done', cause: 'exit', exitCode: 0, ...times }
        : { state: 'error', cause: 'exit', exitCode: code, reason: `exit code ${code}`, ...times };
    this.changes.add(id);
    this.settle();
  }

  /**
   * Ends a task for another cause (`time-limit`, `out-of-memory`, `lost`, `cancelled-outside`...),
   * queued or running; `reason` defaults to the cause's usual words.
   */
  fail(id: string, cause: EndCause, reason?: string): void {
    const task = this.get(id);
    if (ended(task.status)) throw new Error(`task ${id} has ended already`);
    this.end(task, cause, reason);
    this.settle();
  }

  /** Forgets tasks as a runner that died would (default: every task that has not started). */
  forget(ids?: readonly string[]): void {
    const which =
      ids ??
      [...this.tasks.values()].filter((t) => ['queued', 'held'].includes(t.status.state)).map((t) => t.id);
    for (const id of which) this.tasks.delete(id);
  }

  /** Queued tasks whose dependencies all ended: those a real backend would start now. */
  ready(): string[] {
    return [...this.tasks.values()]
      .filter(
        (t) =>
          t.status.state === 'queued' &&
          t.after.every((d) => ended(this.tasks.get(d.id)?.status ?? { state: 'unknown' })),
      )
      .map((t) => t.id);
  }

  /** The spec a task was submitted with. */
  specOf(id: string): TaskSpec {
    return this.get(id).spec;
  }

  private end(task: MemoryTask, cause: EndCause, reason = CAUSE_WORDS[cause]): void {
    const state = cause === 'cancelled' || cause === 'cancelled-outside' ? 'killed' : 'error';
    task.status = { state, cause, reason, ...this.times(task, Date.now()) };
    this.changes.add(task.id);
  }

  /** Ends, down the chain, every waiting task whose `ok` dependency ended without success. */
  private settle(): void {
    for (let changed = true; changed;) {
      changed = false;
      for (const task of this.tasks.values()) {
        if (!['queued', 'held'].includes(task.status.state)) continue;
        const failed = task.after.some((d) => {
          const status = this.tasks.get(d.id)?.status;
          return d.kind === 'ok' && status !== undefined && ended(status) && status.state !== 'done';
        });
        if (failed) {
          this.end(task, 'dependency-failed');
          changed = true;
        }
      }
    }
  }

  private move(ids: readonly string[], from: TaskStatus['state'], to: TaskStatus['state']): void {
    for (const id of ids) {
      const task = this.tasks.get(id);
      if (task?.status.state !== from) continue;
      task.status = { ...task.status, state: to };
      this.changes.add(id);
    }
  }

  private times(task: MemoryTask, endedAt: number): Pick<TaskStatus, 'host' | 'startedAt' | 'endedAt'> {
    const startedAt = task.status.startedAt;
    return startedAt === undefined ? { endedAt } : { host: this.host, startedAt, endedAt };
  }

  private running(id: string): MemoryTask {
    const task = this.get(id);
    if (task.status.state !== 'running' && task.status.state !== 'suspended')
      throw new Error(`task ${id} is ${task.status.state}, not running`);
    return task;
  }

  private get(id: string): MemoryTask {
    const task = this.tasks.get(id);
    if (task === undefined) throw new Error(`the memory executor has no task ${id}`);
    return task;
  }
}

function ended(status: TaskStatus): boolean {
  return status.state === 'done' || status.state === 'error' || status.state === 'killed';
}
