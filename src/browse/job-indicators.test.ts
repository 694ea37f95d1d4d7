import { describe, expect, it } from 'vitest';
import { createSelectionFixture } from '../selection/test-fixture.js';
import { jobIndicators } from './job-indicators.js';

/** The selection fixture with two runs of subject-level tasks; the database records statement texts. */
function fixture() {
  const f = createSelectionFixture();
  const db = f.db;
  const subjects = db.prepare('SELECT id FROM subjects ORDER BY id').pluck().all() as number[];
  const run = (): number =>
    Number(
      db
        .prepare(
          `INSERT INTO runs (project_id, batch_name, definition, level, selection, run_mode, executor, owner, created_at)
           VALUES (?, 'b', '{}', 'subject', '*', 'chained', 'slurm', 'me', 0)`,
        )
        .run(f.project.id).lastInsertRowid,
    );
  const task = db.prepare(
    `INSERT INTO tasks (run_id, project_id, item, subject_id, job_index, job_name, state, unit, executor, resolved, log_dir, updated_at)
     VALUES (?, ?, ?, ?, ?, 'j', ?, 'u', 'slurm', '{}', '/tmp', 0)`,
  );
  const first = run();
  const [a = 0, b = 0] = subjects;
  task.run(first, f.project.id, 'a', a, 0, 'error');
  task.run(first, f.project.id, 'a', a, 1, 'error');
  task.run(first, f.project.id, 'b', b, 0, 'queued');
  const second = run(); // a rerun of subject a: its first run's errors no longer count
  task.run(second, f.project.id, 'a', a, 0, 'running');
  task.run(second, f.project.id, 'a', a, 1, 'queued');
  const texts: string[] = [];
  const recording = new Proxy(db, {
    get(real, key) {
      if (key === 'prepare')
        return (text: string) => {
          texts.push(text);
          return real.prepare(text);
        };
      const value: unknown = Reflect.get(real, key);
      return typeof value === 'function' ? (value as () => unknown).bind(real) : value;
    },
  });
  return { db, recording: recording, texts, a, b };
}

describe('jobIndicators of subjects', () => {
  it('counts the tasks of the latest run per subject', () => {
    const { recording, a, b } = fixture();
    const of = jobIndicators(recording, 'subject', [a, b]);
    expect(of(a)).toEqual({ q: 1, r: 1, s: 0, e: 0 });
    expect(of(b)).toEqual({ q: 1, r: 0, s: 0, e: 0 });
  });

  it('reads tasks by subject through an index, never a scan of all tasks (migration 23)', () => {
    const { db, recording, texts, a } = fixture();
    jobIndicators(recording, 'subject', [a]);
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${texts[0] ?? ''}`).all(JSON.stringify([a])) as Array<{
      detail: string;
    }>;
    const details = plan.map((p) => p.detail);
    expect(details.some((d) => /tasks_subject/.test(d))).toBe(true);
    expect(details.filter((d) => /^SCAN (t|t2|tasks)\b/.test(d))).toEqual([]);
  });
});
