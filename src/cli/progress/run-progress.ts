import type { EngineListener, TaskRow } from '../../runs/index.js';
import type { CommandContext } from '../command-spec.js';
import { JsonEvents } from './json-events.js';
import { ProgressLine, type ProgressStream } from './progress-line.js';

/** What a watching command (run, rerun, resume) shows while its runs go on. */
export interface RunProgress {
  readonly listeners: readonly EngineListener[];
  /** Tasks the display should count from now on (a started or adopted run's rows). */
  track(tasks: readonly TaskRow[]): void;
  /** Ends the display before the final report. */
  stop(): void;
}

/**
 * `--json`: task events, one JSON object a line. A terminal: the live progress line. Anything else (a
 * pipe, a file): nothing, so logs and scripts get only the announcement and the report.
 */
export function runProgress(
  ctx: CommandContext,
  terminal: (ProgressStream & { isTTY?: boolean }) | undefined = process.stdout,
): RunProgress {
  if (ctx.json) {
    const events = new JsonEvents((lines) => ctx.print(lines));
    return { listeners: [events], track: () => {}, stop: () => events.flush() };
  }
  if (terminal?.isTTY !== true) return { listeners: [], track: () => {}, stop: () => {} };
  const line = new ProgressLine(terminal);
  return { listeners: [line], track: (tasks) => line.track(tasks), stop: () => line.stop() };
}
