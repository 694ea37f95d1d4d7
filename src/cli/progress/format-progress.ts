// The leaf module, not runs/index.js: `create` and `rescan` draw a line too and must not load the engine.
import { isEnded, TASK_STATES, type TaskState } from '../../runs/task-states.js';

/** What the progress line shows at one moment. */
export interface ProgressSnapshot {
  /** Tasks per state (states without tasks may be absent). */
  readonly counts: Readonly<Partial<Record<TaskState, number>>>;
  /** Tasks that ended since the display started (the rate counts these, not those ended before). */
  readonly endedSinceStart: number;
  readonly elapsedMs: number;
}

/** Tasks per second since the start, or null before the first task ended. */
export function taskRate(s: ProgressSnapshot): number | null {
  if (s.endedSinceStart === 0 || s.elapsedMs <= 0) return null;
  return s.endedSinceStart / (s.elapsedMs / 1000);
}

/** Seconds left at the current rate, or null while no rate is known. */
export function secondsLeft(s: ProgressSnapshot): number | null {
  const rate = taskRate(s);
  if (rate === null) return null;
  const left = TASK_STATES.filter((st) => !isEnded(st)).reduce((n, st) => n + (s.counts[st] ?? 0), 0);
  return left / rate;
}

/** `45s`, `3m05s`, `2h07m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * One line: `12/40 ended · 3 running · 25 queued · 1 error · 2.4 tasks/s · 11s left`. Only states with
 * tasks are named, in the order of TASK_STATES; `width` cuts the line so it never wraps (a wrapped line
 * could not be redrawn in place).
 */
export function formatProgress(s: ProgressSnapshot, width = Infinity): string {
  const total = TASK_STATES.reduce((n, st) => n + (s.counts[st] ?? 0), 0);
  const ended = TASK_STATES.filter(isEnded).reduce((n, st) => n + (s.counts[st] ?? 0), 0);
  const parts = [`${ended}/${total} ended`];
  for (const st of TASK_STATES) {
    const n = s.counts[st] ?? 0;
    if (n > 0 && st !== 'done') parts.push(`${n} ${st}`);
  }
  const rate = taskRate(s);
  const left = secondsLeft(s);
  parts.push(rate === null ? '- tasks/s' : `${rate < 10 ? rate.toFixed(1) : Math.round(rate)} tasks/s`);
  if (left !== null && ended < total) parts.push(`${formatDuration(left)} left`);
  parts.push(`${formatDuration(s.elapsedMs / 1000)} elapsed`);
  const line = parts.join(' · ');
  return line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line;
}
