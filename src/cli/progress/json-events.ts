import type { EngineListener, TaskRow, TaskState } from '../../runs/index.js';

/** One line of `cohort run --json`'s stream. */
export interface TaskEvent {
  readonly event: 'task';
  readonly run: number;
  readonly task: number;
  readonly item: string;
  readonly job: string;
  readonly state: TaskState;
  readonly previous: TaskState;
  readonly error: string | null;
  readonly at: string;
}

/**
 * Streams every task change as one JSON object per line (`jq`-friendly), for `--json`: a script sees
 * each task end as it happens instead of one report at the end.
 */
export class JsonEvents implements EngineListener {
  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  taskChanged(task: TaskRow, previous: TaskState): void {
    const event: TaskEvent = {
      event: 'task',
      run: task.run_id,
      task: task.id,
      item: task.item,
      job: task.job_name,
      state: task.state,
      previous,
      error: task.error,
      at: this.now().toISOString(),
    };
    this.write(JSON.stringify(event));
  }
}
