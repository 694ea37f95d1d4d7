/** Sends a signal to a whole process group; false when the group is gone already. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Cancels a task's process group: SIGTERM, then SIGCONT (a suspended task would otherwise hold the
 * TERM pending forever; sent after it, the task wakes to a pending TERM instead of running on), then
 * SIGKILL after `graceMs` if `stillThere()` says the task has not ended. The timer is not unref'd: a
 * cancel the caller asked for is finished even when it closes the executor right away.
 */
export function terminateGroup(pgid: number, graceMs: number, stillThere: () => boolean): NodeJS.Timeout {
  signalGroup(pgid, 'SIGTERM');
  signalGroup(pgid, 'SIGCONT');
  return setTimeout(() => {
    if (stillThere()) signalGroup(pgid, 'SIGKILL');
  }, graceMs);
}
