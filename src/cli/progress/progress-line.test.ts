import { afterEach, describe, expect, it } from 'vitest';
import type { TaskRow, TaskState } from '../../runs/index.js';
import { JsonEvents } from './json-events.js';
import { ProgressLine } from './progress-line.js';

function task(id: number, state: TaskState, error: string | null = null): TaskRow {
  return { id, run_id: 7, item: `P00${id}`, job_name: 'mask', state, error } as TaskRow;
}

describe('ProgressLine', () => {
  let line: ProgressLine | undefined;
  afterEach(() => line?.stop());

  it('redraws in place at most ten times a second and prints each new error above the line', () => {
    let now = 0;
    const out: string[] = [];
    line = new ProgressLine({ write: (t) => out.push(t), columns: 200 }, () => now);
    line.track([task(1, 'queued'), task(2, 'queued')]);
    expect(out.join('')).toBe('\r0/2 ended · 2 queued · - tasks/s · 0s elapsed\x1b[K');
    out.length = 0;
    now = 50;
    line.taskChanged(task(1, 'running'), 'queued');
    expect(out).toEqual([]); // throttled: the trailing redraw waits for its timer
    now = 2000;
    line.taskChanged(task(1, 'error', 'exit code 3'), 'running');
    expect(out.join('')).toContain('\r\x1b[Kerror: task 1 P001 mask: exit code 3\n');
    expect(line.text()).toBe('1/2 ended · 1 queued · 1 error · 0.5 tasks/s · 2s left · 2s elapsed');
    out.length = 0;
    line.stop();
    expect(out).toEqual(['\r\x1b[K']);
  });

  it('lets changes heard before a run is tracked win over the rows read later', () => {
    line = new ProgressLine({ write: () => true }, () => 0);
    line.taskChanged(task(1, 'running'), 'queued');
    line.track([task(1, 'queued')]);
    expect(line.text()).toContain('1 running');
  });
});

describe('JsonEvents', () => {
  it('writes one JSON object per task change, the changes of one burst in one write', async () => {
    const writes: string[] = [];
    const events = new JsonEvents(
      (l) => writes.push(l),
      () => new Date(0),
    );
    events.taskChanged(task(3, 'done'), 'running');
    events.taskChanged(task(4, 'error'), 'running');
    expect(writes).toHaveLength(0); // not yet: after the burst
    await Promise.resolve();
    expect(writes).toHaveLength(1);
    const lines = writes[0]?.split('\n') ?? [];
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ task: 4, state: 'error' });
    events.taskChanged(task(5, 'done'), 'running');
    events.flush(); // before the final report
    expect(writes).toHaveLength(2);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      event: 'task',
      run: 7,
      task: 3,
      item: 'P003',
      job: 'mask',
      state: 'done',
      previous: 'running',
      error: null,
      at: '1970-01-01T00:00:00.000Z',
    });
  });
});
