import { existsSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { resolve } from 'node:path';
import { CohortError } from '../../errors/cohort-error.js';
import { compactTaskFolder } from '../compact-task-folder.js';
import type { Executor, TaskSpec, TaskStatus } from '../executor.js';
import { ACTIVE_STATES, AdoptedTasks } from './adopted-tasks.js';
import { exitedStatus, localTaskStatus, waitsForSlot, type LocalTask } from './local-task.js';
import { capTaskLogs, DEFAULT_LOG_CAP_BYTES } from './log-cap.js';
import { signalGroup, terminateGroup } from './process-group.js';
import { defaultLauncherKind, Launcher, nativeLauncherBuilt } from './launcher.js';
import {
  isHeld,
  markCancelled,
  markHeld,
  mayBeActive,
  NO_ROOM,
  openLogFolder,
  readExitFile,
  readPidFile,
  statusFromFiles,
  tryWrite,
} from './task-files.js';
import { TaskScheduler } from './task-scheduler.js';
import { validateTaskSpec } from './validate-task-spec.js';
import {
  AHEAD_PER_SLOT,
  DEFAULT_KILL_GRACE_MS,
  WATCH_INTERVAL_MS,
  type LocalExecutorOptions,
} from './local-executor-options.js';

export { DEFAULT_KILL_GRACE_MS, type LocalExecutorOptions } from './local-executor-options.js';

/**
 * Runs tasks on this machine, each its own process group, started and reaped by one small launcher
 * process (launcher.ts, libexec/task-launcher.c or its bash fallback) that records the task's state in
 * its log folder (task-files.ts). The executor id of a task is its absolute log folder, so a later
 * LocalExecutor (the runner was killed and restarted) reports it too. A FIFO queue with `slots`
 * concurrency and dependencies hands ready tasks to the launcher, the native one a few ahead of free
 * slots. Queued tasks live only in memory (and the launcher's): after a restart they are `unknown`
 * (never started: resubmitting them runs nothing twice). Linux only (/proc).
 *
 * @example
 * const executor = new LocalExecutor({ slots: 4, onTaskEnded: (id, s) => console.log(id, s.state) });
 * const [id] = await executor.submit([{ taskId: 't1', argv: ['echo', 'hi'], env: {}, cwd: '/tmp',
 *   logDir: '/tmp/t1', resources: {}, after: [] }]);
 */
export class LocalExecutor implements Executor {
  readonly kind = 'local';
  private readonly graceMs: number;
  private readonly logCapBytes: number;
  private readonly onTaskEnded: ((id: string, status: TaskStatus) => void) | undefined;
  private readonly onIdle: (() => void) | undefined;
  private readonly host = hostname();
  private readonly scheduler: TaskScheduler;
  private readonly running = new Set<LocalTask>();
  /** Running tasks by their launcher request number. */
  private readonly bySeq = new Map<number, LocalTask>();
  /** Tasks a launcher that died had started: their folders tell when they end. */
  private readonly orphans = new Set<LocalTask>();
  private readonly launcher: Launcher;
  private nextSeq = 0;
  private readonly adopted: AdoptedTasks;
  private watchTimer: NodeJS.Timeout | undefined;
  private changes = new Set<string>();
  private closed = false;

  constructor(options: LocalExecutorOptions = {}) {
    this.graceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    this.logCapBytes = options.logCapBytes ?? DEFAULT_LOG_CAP_BYTES;
    this.onTaskEnded = options.onTaskEnded;
    this.onIdle = options.onIdle;
    this.adopted = new AdoptedTasks(this.graceMs, () => this.startWatch());
    const kind = options.launcher ?? defaultLauncherKind();
    if (kind === 'native' && !nativeLauncherBuilt()) {
      throw new CohortError('NOT_AVAILABLE', 'The native task launcher was not built', {
        hint: 'Run `npm run build` (it needs a C compiler), or choose the bash launcher',
      });
    }
    const slots = Math.max(1, Math.floor(options.slots ?? availableParallelism()));
    this.launcher = new Launcher(
      { host: this.host, graceSeconds: this.graceMs / 1000, kind, slots },
      {
        started: (seq, pid) => {
          const task = this.bySeq.get(seq);
          if (task === undefined) return;
          task.pid = pid;
          if (task.atLauncher === true) {
            task.atLauncher = false;
            task.startedAt = Date.now(); // it waited at the launcher since it was handed over
          }
          // Suspended between the slot being taken and this report: the stop was only noted, send it now.
          if (task.suspended && !task.cancelled) signalGroup(pid, 'SIGSTOP');
          // Cancelled after the launcher looked for the marker and before this report: stop it now.
          if (task.cancelled && task.killTimer === undefined)
            task.killTimer = terminateGroup(pid, this.graceMs, () => task.phase === 'running');
        },
        ended: (seq, code, why) => {
          const task = this.bySeq.get(seq);
          if (task !== undefined) this.exited(task, code, undefined, why);
        },
        returned: (seq) => {
          const task = this.bySeq.get(seq);
          if (task !== undefined) this.returned(task);
        },
        lost: () => this.launcherLost(),
      },
    );
    this.scheduler = new TaskScheduler(
      slots,
      {
        host: this.host,
        adopted: this.adopted,
        start: (task) => this.start(task),
        ended: (id, status) => this.tellEnded(id, status),
      },
      this.launcher.ahead ? AHEAD_PER_SLOT * slots : 0,
    );
  }

  /** Queues tasks. Invalid input or a log folder still in use rejects the whole call, queueing nothing. */
  submit(specs: readonly TaskSpec[]): Promise<string[]> {
    // The executor function runs now, synchronously; what it throws becomes the rejection.
    return new Promise((resolveIds) => resolveIds(this.queue(specs)));
  }

  status(ids: readonly string[]): Promise<Map<string, TaskStatus>> {
    const result = new Map<string, TaskStatus>();
    for (const id of ids) result.set(id, this.statusOf(id, !this.closed));
    return Promise.resolve(result);
  }

  /** Ids of tasks this executor started, ended or was asked to act on since the last call. */
  takeChanges(): ReadonlySet<string> {
    const changes = this.changes;
    this.changes = new Set();
    return changes;
  }

  cancel(ids: readonly string[]): Promise<void> {
    this.noteChanges(ids);
    for (const id of ids) {
      const task = this.scheduler.tasks.get(id);
      if (task === undefined) this.adopted.cancel(id);
      else if (task.phase === 'waiting' || task.phase === 'ready') this.scheduler.endUnrun(task, true);
      else if (task.phase === 'running' && !task.cancelled) {
        task.cancelled = true;
        // Before the signal: whatever reads `exit` then knows why. A task the launcher has not started
        // yet sees the marker and does not start.
        tryWrite(() => markCancelled(id));
        const pid = task.pid;
        if (pid !== undefined)
          task.killTimer = terminateGroup(pid, this.graceMs, () => task.phase === 'running');
        else if (task.atLauncher === true && task.seq !== undefined) this.launcher.withdraw(task.seq);
      }
    }
    this.scheduler.pump();
    return Promise.resolve();
  }

  /** SIGSTOP to the task's process group; queued tasks are not affected (see `hold`). */
  suspend(ids: readonly string[]): Promise<void> {
    return this.signalRunning(ids, 'SIGSTOP');
  }

  resume(ids: readonly string[]): Promise<void> {
    return this.signalRunning(ids, 'SIGCONT');
  }

  /**
   * Keeps queued tasks from starting until released; running tasks are not affected. Tasks queued in
   * another runner get a `held` marker, which that runner obeys within a second.
   */
  hold(ids: readonly string[]): Promise<void> {
    this.noteChanges(ids);
    for (const id of ids) {
      const task = this.scheduler.tasks.get(id);
      if (task?.atLauncher === true && task.seq !== undefined && !task.held) {
        task.held = true; // it starts unless the launcher gives it back (`returned`)
        this.launcher.withdraw(task.seq);
      } else if (task !== undefined) task.held ||= task.phase === 'waiting' || task.phase === 'ready';
      // Queued in another runner's memory (`unknown` here) or at its launcher: both obey the marker.
      else if (['unknown', 'queued'].includes(this.adopted.status(id, false).state))
        tryWrite(() => markHeld(id, true));
    }
    return Promise.resolve();
  }

  release(ids: readonly string[]): Promise<void> {
    this.noteChanges(ids);
    for (const id of ids) {
      const task = this.scheduler.tasks.get(id);
      if (task !== undefined) task.held = task.heldOnDisk = false;
      tryWrite(() => markHeld(id, false));
    }
    this.scheduler.pump();
    return Promise.resolve();
  }

  /**
   * Compacts ended tasks' folders (compactTaskFolder): through the native launcher when it runs, which
   * does it after this process may have exited, else here and now.
   */
  compact(ids: readonly string[]): void {
    if (this.launcher.compact(ids)) return;
    for (const id of ids) compactTaskFolder(id);
  }

  /**
   * Stops the log watch; running tasks keep running and no longer keep this process alive. Queued
   * tasks are dropped (a later runner reports them `unknown`). Pending SIGKILLs of cancels still fire.
   */
  close(): Promise<void> {
    this.closed = true;
    this.scheduler.stopped = true;
    clearInterval(this.watchTimer);
    this.launcher.close();
    return Promise.resolve();
  }

  private queue(specs: readonly TaskSpec[]): string[] {
    if (this.closed) throw new CohortError('NOT_AVAILABLE', 'This executor was closed');
    const ids = specs.map((spec) => (validateTaskSpec(spec), resolve(spec.logDir)));
    const present = ids.map((id) => openLogFolder(id));
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      this.assertFree(id, seen.has(id), present[i]!);
      seen.add(id);
    });
    const earlier = new Map<string, string>(); // taskId -> id, for dependencies within this call
    specs.forEach((spec, i) => {
      this.scheduler.add(ids[i]!, spec, earlier, present[i]);
      earlier.set(spec.taskId, ids[i]!);
    });
    this.scheduler.pump();
    this.startWatch(); // for markers on queued tasks
    return ids;
  }

  private statusOf(id: string, adopt: boolean): TaskStatus {
    const task = this.scheduler.tasks.get(id);
    if (task === undefined) return this.adopted.status(id, adopt);
    return waitsForSlot(task, this.running, this.scheduler.slots)
      ? { state: 'queued' }
      : localTaskStatus(task, this.host);
  }

  private assertFree(id: string, duplicate: boolean, present: ReadonlySet<string>): void {
    // A folder without the files of a started or held task can only hold an active task in memory.
    const state =
      mayBeActive(present) || this.scheduler.tasks.has(id) ? this.statusOf(id, false).state : 'unknown';
    if (duplicate || ACTIVE_STATES.includes(state)) {
      throw new CohortError('CONFLICT', `Log folder ${id} belongs to a task that has not ended`, {
        hint: 'Give every task its own log folder',
        context: { logDir: id, state },
      });
    }
  }

  private start(task: LocalTask): void {
    this.changes.add(task.id);
    this.running.add(task);
    this.startWatch();
    // A task working in its log folder (the engine's) needs no look: `add` has just made or listed it.
    if (task.spec.cwd !== task.spec.logDir && !existsSync(task.spec.cwd)) {
      this.exited(task, undefined, new Error('no working folder'));
      return;
    }
    const seq = ++this.nextSeq;
    task.seq = seq;
    this.bySeq.set(seq, task);
    try {
      this.launcher.launch(seq, task.spec, task.id, task.limitSeconds, task.slots);
      task.atLauncher = this.launcher.ahead;
    } catch (error) {
      if (!NO_ROOM.has((error as NodeJS.ErrnoException).code ?? '')) {
        this.exited(task, undefined, error);
        return;
      }
      // The disk is full: the task has not started and waits for room, like a queued task (nothing
      // about it is lost or failed); the next watch tries again.
      this.running.delete(task);
      this.bySeq.delete(seq);
      task.seq = undefined;
      this.scheduler.requeue(task);
    }
  }

  private exited(task: LocalTask, code: number | undefined, error?: unknown, why?: string): void {
    if (!this.running.delete(task)) return;
    if (task.seq !== undefined) this.bySeq.delete(task.seq);
    this.orphans.delete(task);
    const status = exitedStatus(task, code, this.host, error, why);
    if (code !== undefined) capTaskLogs(task.id, this.logCapBytes, true); // written since the last watch
    this.scheduler.exited(task, status);
    this.scheduler.pump();
  }

  /** A task handed over ahead came back unstarted: cancelled, it ends unrun; held, it waits again. */
  private returned(task: LocalTask): void {
    this.takeBack(task);
    task.heldOnDisk = isHeld(task.id); // the launcher found the marker: none until the next watch
    if (task.cancelled) this.scheduler.endUnrun(task, true);
    this.scheduler.pump();
  }

  /** A task the launcher never started waits in the queue again. */
  private takeBack(task: LocalTask): void {
    this.running.delete(task);
    if (task.seq !== undefined) this.bySeq.delete(task.seq);
    task.seq = task.atLauncher = undefined;
    this.scheduler.giveBack(task);
  }

  /**
   * The launcher died (killed by someone): its tasks run on in their own groups, and their folders say
   * when they end; tasks it never started end with an error, except those it held in its queue (no
   * `pid` record), which wait for the next launcher. The next start spawns a new launcher.
   */
  private launcherLost(): void {
    const tasks = [...this.bySeq.values()];
    this.bySeq.clear();
    for (const task of tasks) {
      if (task.atLauncher === true && readPidFile(task.id) === undefined) {
        this.takeBack(task);
        continue;
      }
      task.atLauncher = false;
      task.seq = undefined;
      this.orphans.add(task);
    }
    this.watchOrphans();
    this.scheduler.pump();
  }

  private watchOrphans(): void {
    for (const task of this.orphans) {
      const exit = readExitFile(task.id);
      if (exit !== undefined) this.exited(task, exit.code);
      else if (['unknown', 'error'].includes(statusFromFiles(task.id).state)) {
        // Never started, or its process is gone and nobody recorded how it ended.
        this.exited(task, undefined, new Error('the task launcher stopped before the task ended'));
      }
    }
  }

  private signalRunning(ids: readonly string[], signal: 'SIGSTOP' | 'SIGCONT'): Promise<void> {
    this.noteChanges(ids);
    for (const id of ids) {
      const task = this.scheduler.tasks.get(id);
      const pid = task?.pid;
      if (task === undefined) {
        this.adopted.signal(id, signal);
        continue;
      }
      if (task.phase !== 'running') continue;
      // Without a pid the launcher has not yet reported the start: note the wish, `started` obeys it.
      if (pid === undefined || signalGroup(pid, signal)) task.suspended = signal === 'SIGSTOP';
    }
    return Promise.resolve();
  }

  private startWatch(): void {
    if (this.closed) return;
    this.watchTimer ??= setInterval(() => this.watch(), WATCH_INTERVAL_MS).unref();
  }

  /** Every second: caps logs, obeys markers on queued tasks, notices the end of adopted tasks. */
  private watch(): void {
    this.scheduler.paused = false; // a start that found the disk full tries again
    for (const task of this.running) capTaskLogs(task.id, this.logCapBytes);
    this.watchOrphans();
    this.scheduler.readMarkers();
    for (const { id, status, waiters } of this.adopted.poll(this.logCapBytes)) {
      if (status.state !== 'unknown') this.scheduler.tell(id, status);
      this.scheduler.settle(waiters, status);
    }
    this.scheduler.pump();
  }

  private noteChanges(ids: readonly string[]): void {
    for (const id of ids) this.changes.add(id);
  }

  private tellEnded(id: string, status: TaskStatus): void {
    this.changes.add(id);
    try {
      this.onTaskEnded?.(id, status);
      if (this.scheduler.idle) this.onIdle?.();
    } catch (error) {
      process.emitWarning(`onTaskEnded listener failed: ${String(error)}`);
    }
  }
}
