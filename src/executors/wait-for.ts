import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Executor, TaskStatus } from './executor.js';

/** Default poll interval of `waitFor`: quick on this machine, light on a scheduler. */
export const DEFAULT_POLL_MS = 50;

/**
 * Polls `executor.status` until the task's status satisfies `predicate`; returns that status. Throws
 * after `timeoutMs` with the last status seen, so a failing test says where the task got stuck.
 *
 * @example
 * const status = await waitFor(executor, id, (s) => s.state === 'done', 10_000);
 */
export async function waitFor(
  executor: Executor,
  id: string,
  predicate: (status: TaskStatus) => boolean,
  timeoutMs: number,
  pollMs = DEFAULT_POLL_MS,
): Promise<TaskStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await executor.status([id])).get(id) ?? { state: 'unknown' };
    if (predicate(status)) return status;
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for task ${id}; last status ${JSON.stringify(status)}`,
      );
    }
    await sleep(pollMs);
  }
}

/** Waits until a file exists (a task's sign that it got somewhere); throws after `timeoutMs`. */
export async function waitForFile(path: string, timeoutMs: number, pollMs = DEFAULT_POLL_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${path}`);
    await sleep(pollMs);
  }
}

/** Whether a status is one of the ends (done, error, killed). */
export function hasEnded(status: TaskStatus): boolean {
  return status.state === 'done' || status.state === 'error' || status.state === 'killed';
}

/**
 * Polls `check` until it holds; throws after `timeoutMs` naming `what`. For a negative assertion, wait
 * for a positive sign that the thing could have happened (a witness task ended, a process is stopped),
 * never for a fixed time.
 *
 * @example
 * await waitUntil('the task to stop', () => readProcStat(pid)?.state === 'T', 10_000);
 */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  pollMs = DEFAULT_POLL_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(pollMs);
  }
}
