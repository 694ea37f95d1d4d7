import type { Db } from '../db/open-database.js';
import { invalidInput, notFound } from '../errors/cohort-error.js';
import type { Project } from './project-store.js';

export interface StudyRow {
  readonly id: number;
  readonly subjectId: number;
  readonly pid: string;
  readonly sid: string;
  /** Relative to the project root. */
  readonly folder: string;
}

/** Splits `SUBJECT#STUDY`, with an error naming the expected form. */
export function parseStudyRef(ref: string): { pid: string; sid: string } {
  const hash = ref.indexOf('#');
  if (hash <= 0 || hash === ref.length - 1 || ref.indexOf('#', hash + 1) >= 0) {
    throw invalidInput(`'${ref}' is not a study reference.`, 'Write SUBJECT#STUDY, e.g. P001#20210314.');
  }
  return { pid: ref.slice(0, hash), sid: ref.slice(hash + 1) };
}

/** Finds a present study by `SUBJECT#STUDY`. */
export function findStudy(db: Db, project: Project, ref: string): StudyRow {
  const { pid, sid } = parseStudyRef(ref);
  const row = db
    .prepare(
      `SELECT s.id, s.subject_id AS subjectId, p.pid, s.sid, s.folder FROM studies s
       JOIN subjects p ON p.id = s.subject_id
       WHERE s.project_id = ? AND p.pid = ? AND s.sid = ? AND s.present = 1`,
    )
    .get(project.id, pid, sid) as StudyRow | undefined;
  if (row === undefined) {
    throw notFound(`No study ${ref} in project '${project.name}'.`, 'List studies with `cohort studies`.');
  }
  return row;
}
