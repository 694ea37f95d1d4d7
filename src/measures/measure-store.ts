import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { invalidInput } from '../errors/cohort-error.js';
import { parseSelector } from '../selection/parse-selector.js';
import { selectStudies } from '../selection/run-selector.js';
import type { Selector } from '../selection/selector.js';

/** One recorded number: `subject`/`study` are the PID and SID (`study` null for a subject's measure). */
export interface MeasureRow {
  readonly subject: string;
  readonly study: string | null;
  readonly key: string;
  readonly value: number;
  /** The job name of the task that recorded it (null when recorded outside a task). */
  readonly task: string | null;
}

/** What one `cohort record` writes: a key and number on a subject or one of its studies. */
export interface MeasureInput {
  readonly subjectId: number;
  /** Null records the measure on the subject itself. */
  readonly studyId: number | null;
  readonly key: string;
  readonly value: number;
  readonly taskId?: number | null;
  /** Job name of the recording task (default: the job name of task `taskId`). */
  readonly task?: string | null;
}

// Keys become TSV cells and JSON keys; no whitespace or tabs so a long table stays one row per value.
const KEY_PATTERN = /^[\p{L}\p{N}_.:/+-]{1,128}$/u;

/** Checks a measure key, throwing an error that names it and the rule. */
export function validateMeasureKey(key: string): void {
  // `cohort export` uses these keys for tags, descriptions and files in the same long table.
  if (!KEY_PATTERN.test(key) || key === 'tag' || key === 'description' || key.startsWith('file:')) {
    throw invalidInput(
      `Invalid measure key '${key}'.`,
      'Keys are 1-128 letters, digits or _ . : / + - (no spaces; not tag, description or file:...), ' +
        'e.g. fa_mean or volume.gm.',
    );
  }
}

/** Parses a measure value: a finite number (`12`, `-0.5`, `1e-3`). */
export function parseMeasureValue(key: string, text: string | number): number {
  const value = typeof text === 'number' ? text : text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) {
    throw invalidInput(
      `Measure '${key}' has value '${String(text)}', which is not a finite number.`,
      'Record numbers only (e.g. cohort record fa_mean 0.43); keep text in tags or files.',
    );
  }
  return value;
}

/**
 * Records measures in one transaction; a key recorded again on the same subject/study replaces the
 * older value (a rerun of a job overwrites its numbers). Returns how many were written.
 */
export function recordMeasures(db: Db, projectId: number, inputs: readonly MeasureInput[]): number {
  for (const input of inputs) {
    validateMeasureKey(input.key);
    parseMeasureValue(input.key, input.value);
  }
  const remove = db.prepare(
    'DELETE FROM measures WHERE subject_id = ? AND IFNULL(study_id, 0) = IFNULL(?, 0) AND key = ?',
  );
  const insert = db.prepare(
    `INSERT INTO measures (project_id, subject_id, study_id, key, value, task_id, task, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, COALESCE(?, (SELECT job_name FROM tasks WHERE id = ?)), ?)`,
  );
  const now = Date.now();
  db.transaction(() => {
    for (const m of inputs) {
      remove.run(m.subjectId, m.studyId, m.key);
      const taskId = m.taskId ?? null;
      insert.run(projectId, m.subjectId, m.studyId, m.key, m.value, taskId, m.task ?? null, taskId, now);
    }
  }).immediate();
  return inputs.length;
}

/**
 * Measures of the studies a selector picks (and of their subjects), ordered by subject, study
 * (chronologically; subject-level measures first) and key. Two SQL statements whatever the count.
 *
 * Example: `listMeasures(db, project, 'stag:control')` ->
 * `[{subject: 'P001', study: '20200101', key: 'fa_mean', value: 0.43, task: 'fa_stats'}, ...]`.
 */
export function listMeasures(db: Db, project: Project, selector: Selector | string): MeasureRow[] {
  const parsed = typeof selector === 'string' ? parseSelector(selector) : selector;
  return db.transaction((): MeasureRow[] =>
    measuresOfStudies(db, project, selectStudies(db, project, parsed).studies),
  )();
}

/** Measures of the given studies and of their subjects (what {@link listMeasures} lists), same order. */
export function measuresOfStudies(
  db: Db,
  project: Project,
  studies: ReadonlyArray<{ readonly studyId: number; readonly subjectId: number }>,
): MeasureRow[] {
  if (studies.length === 0) return [];
  const selected = new Set(studies.map((s) => s.studyId));
  const subjectIds = JSON.stringify([...new Set(studies.map((s) => s.subjectId))]);
  // By subject (the unique index leads with it), then the studies not selected are dropped here: one
  // indexed lookup per subject, where an OR of two IN lists made SQLite scan the table. CROSS JOIN
  // keeps that order: SQLite otherwise put json_each inside and read it once per measure (minutes).
  const rows = db
    .prepare(
      `SELECT su.pid AS subject, st.sid AS study, m.study_id AS studyId, m.key, m.value, m.task
       FROM json_each(?) j
       CROSS JOIN measures m ON m.subject_id = j.value
       JOIN subjects su ON su.id = m.subject_id
       LEFT JOIN studies st ON st.id = m.study_id
       WHERE m.project_id = ?
       ORDER BY su.pid, st.sort_key IS NOT NULL, st.sort_key, st.sid, m.key`,
    )
    .all(subjectIds, project.id) as Array<MeasureRow & { studyId: number | null }>;
  return rows
    .filter((r) => r.studyId === null || selected.has(r.studyId))
    .map(({ subject, study, key, value, task }) => ({ subject, study, key, value, task }));
}
