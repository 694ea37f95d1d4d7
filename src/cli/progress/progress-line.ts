import type { EngineListener, TaskRow } from '../../runs/index.js';
import { isEnded, type TaskState } from '../../runs/task-states.js';
import { formatProgress } from './format-progress.js';

/** The part of a terminal stream the line needs (process.stdout, or a fake one in tests). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly columns?: number;
}

/** At most this many redraws a second: a terminal redrawn at every change would slow a 10,000-task run. */
export const REDRAWS_PER_SECOND = 10;

/**
 * A live line on a terminal: tasks per state, tasks per second, time left, redrawn in place; each new
 * error is printed above it as it happens. An EngineListener: the supervisor tells it of every change.
 */
export class ProgressLine implements EngineListener {
  private readonly states = new Map<number, TaskState>();
  private readonly started: number;
  private endedSinceStart = 0;
  private drawn = false;
  private lastDraw = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Nothing is drawn before the first `track`: the command announces its run first. */
  private tracking = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** Adds tasks the line did not hear of (a new or adopted run); changes heard already win. */
  track(tasks: readonly Pick<TaskRow, 'id' | 'state'>[]): void {
    for (const t of tasks) if (!this.states.has(t.id)) this.states.set(t.id, t.state);
    this.tracking = true;
    // Elapsed and time left move even while no task changes.
    this.ticker ??= setInterval(() => this.schedule(), 1000).unref();
    this.schedule();
  }

  taskChanged(task: TaskRow, previous: TaskState): void {
    this.states.set(task.id, task.state);
    if (isEnded(task.state) && !isEnded(previous)) this.endedSinceStart++;
    if (task.state === 'error' && previous !== 'error') {
      this.above(`error: task ${task.id} ${task.item} ${task.job_name}: ${task.error ?? 'failed'}`);
    }
    this.schedule();
  }

  /** The line as it would be drawn now. */
  text(): string {
    const counts: Partial<Record<TaskState, number>> = {};
    for (const s of this.states.values()) counts[s] = (counts[s] ?? 0) + 1;
    return formatProgress(
      { counts, endedSinceStart: this.endedSinceStart, elapsedMs: this.now() - this.started },
      this.width() - 1,
    );
  }

  /** A pseudo-terminal may report 0 columns: then assume the classic 80. */
  private width(): number {
    const columns = this.stream.columns ?? 0;
    return columns > 0 ? columns : 80;
  }

  /** Erases the line for good (before the command's final report). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.ticker);
    this.timer = undefined;
    this.erase();
  }

  private above(line: string): void {
    if (this.stopped || !this.tracking) return;
    this.erase();
    this.stream.write(`${line}\n`);
    this.draw();
  }

  private schedule(): void {
    if (this.stopped || !this.tracking || this.timer !== undefined) return;
    const wait = this.lastDraw + 1000 / REDRAWS_PER_SECOND - this.now();
    if (wait <= 0) {
      this.draw();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, wait);
    this.timer.unref();
  }

  private draw(): void {
    if (this.stopped) return;
    this.lastDraw = this.now();
    // \r and "erase to end of line" redraw in place; the cursor stays at the line's end.
    this.stream.write(`\r${this.text()}\x1b[K`);
    this.drawn = true;
  }

  private erase(): void {
    if (!this.drawn) return;
    this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
