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

/**
 * Present studies by id, and every present study of the given subjects, ordered by subject and study:
 * what a rerun resolves again. Ids, not selector terms: study ids may hold `_` or `*`.
 */
export function studiesByIds(
  db: Db,
  project: Project,
  studyIds: readonly number[],
  subjectIds: readonly number[],
): Array<StudyRow & { readonly ref: string; readonly studyId: number }> {
  return db
    .prepare(
      `SELECT s.id, s.id AS studyId, s.subject_id AS subjectId, p.pid, s.sid, p.pid || '#' || s.sid AS ref, s.folder
       FROM studies s JOIN subjects p ON p.id = s.subject_id
       WHERE s.project_id = ? AND s.present = 1
         AND (s.id IN (SELECT value FROM json_each(?)) OR s.subject_id IN (SELECT value FROM json_each(?)))
         AND s.subject_level = 0
       ORDER BY p.pid, s.sort_key`,
    )
    .all(project.id, JSON.stringify(studyIds), JSON.stringify(subjectIds)) as Array<
    StudyRow & { ref: string; studyId: number }
  >;
}

/** A present subject's id by its subject id (`P001`). */
export function findSubjectId(db: Db, project: Project, pid: string): number {
  const id = db
    .prepare('SELECT id FROM subjects WHERE project_id = ? AND pid = ? AND present = 1')
    .pluck()
    .get(project.id, pid) as number | undefined;
  if (id === undefined) {
    throw notFound(
      `No subject ${pid} in project '${project.name}'.`,
      'List subjects with `cohort subjects`.',
    );
  }
  return id;
}
