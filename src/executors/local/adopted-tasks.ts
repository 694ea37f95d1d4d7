import { isAbsolute } from 'node:path';
import type { ExecutorState, TaskStatus } from '../executor.js';
import type { Waiter } from './local-task.js';
import { capTaskLogs } from './log-cap.js';
import { liveProcess } from '../proc-stat.js';
import { signalGroup, terminateGroup } from './process-group.js';
import { markCancelled, readExitFile, readPidFile, statusFromFiles } from './task-files.js';

/** After marking a task cancelled, when to look once more for a process that started meanwhile. */
const MARKER_RECHECK_MS = 300;

/** States in which a task has neither ended nor been forgotten. */
export const ACTIVE_STATES: readonly ExecutorState[] = ['queued', 'held', 'running', 'suspended'];

/** An adopted task that ended, with the tasks that waited for it. */
export interface AdoptedEnd {
  readonly id: string;
  readonly status: TaskStatus;
  readonly waiters: Waiter[];
}

/**
 * Tasks started by an earlier runner (this process was restarted), known only by their log folders.
 * Those seen active are adopted: the watch caps their logs and reports their end, as it would for our
 * own children, only a second late at most (they are not our children: there is no exit event).
 */
export class AdoptedTasks {
  private readonly watched = new Map<string, Waiter[]>();

  /** `onAdopt` is called when a task is adopted (the owner starts its watch timer). */
  constructor(
    private readonly graceMs: number,
    private readonly onAdopt: () => void,
  ) {}

  /** The task's status from its folder; `unknown` for ids that are no absolute folder. Adopts active tasks. */
  status(id: string, adopt = true): TaskStatus {
    const status: TaskStatus = isAbsolute(id) ? statusFromFiles(id) : { state: 'unknown' };
    if (adopt && ACTIVE_STATES.includes(status.state) && !this.watched.has(id)) {
      this.watched.set(id, []);
      this.onAdopt();
    }
    return status;
  }

  /** Makes `waiter` wait for the task if it is active; otherwise returns its (ended or unknown) status. */
  wait(id: string, waiter: Waiter): TaskStatus | undefined {
    const status = this.status(id);
    if (!ACTIVE_STATES.includes(status.state)) return status;
    this.watched.get(id)?.push(waiter);
    return undefined;
  }

  /**
   * Cancels a task of another runner. The marker comes first: a task still queued there is ended unrun
   * by its runner; one that started gets the signals. A runner that read no marker just before it
   * started the task has written `pid` by the time we look again, so a second look a moment later
   * closes that window.
   */
  cancel(id: string): void {
    if (!isAbsolute(id) || readExitFile(id) !== undefined) return;
    try {
      markCancelled(id);
    } catch {
      return; // The folder is gone: nothing runs there.
    }
    if (!this.terminate(id)) setTimeout(() => this.terminate(id), MARKER_RECHECK_MS);
  }

  private terminate(id: string): boolean {
    const record = this.liveRecord(id);
    if (record === undefined) return false;
    terminateGroup(record.pid, this.graceMs, () => liveProcess(record.pid, record.startTicks) !== undefined);
    return true;
  }

  signal(id: string, signal: 'SIGSTOP' | 'SIGCONT'): void {
    const record = this.liveRecord(id);
    if (record !== undefined) signalGroup(record.pid, signal);
  }

  /** Caps the logs of adopted tasks still running and returns (and forgets) those that ended. */
  poll(logCapBytes: number): AdoptedEnd[] {
    const ended: AdoptedEnd[] = [];
    for (const [id, waiters] of this.watched) {
      const status = statusFromFiles(id);
      if (ACTIVE_STATES.includes(status.state)) capTaskLogs(id, logCapBytes);
      else {
        this.watched.delete(id);
        ended.push({ id, status, waiters });
      }
    }
    return ended;
  }

  /** The `pid` record of a task whose wrapper still runs (checked by start time: pids are reused). */
  private liveRecord(id: string): { pid: number; startTicks: string } | undefined {
    const record = isAbsolute(id) ? readPidFile(id) : undefined;
    if (typeof record !== 'object' || readExitFile(id) !== undefined) return undefined;
    return liveProcess(record.pid, record.startTicks) === undefined ? undefined : record;
  }
}
