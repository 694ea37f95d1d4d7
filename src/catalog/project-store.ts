import { existsSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Db } from '../db/open-database.js';
import { CohortError, invalidInput, notFound } from '../errors/cohort-error.js';
import { rootConflict, type OwnPaths } from './own-paths.js';
import { DERIVATIVES } from './layout/derivatives.js';
import { LAYOUT_KINDS, type LayoutKind } from './layout/layout.js';

export interface Project {
  readonly id: number;
  readonly name: string;
  /** Absolute, symlink-free path of the project's root folder. */
  readonly root: string;
  readonly layout: LayoutKind;
  /** Folder under the root holding `ANALYSIS#name` folders. Default `analysis`. */
  readonly analysisFolder: string;
}

interface ProjectRow {
  id: number;
  name: string;
  root: string;
  layout: LayoutKind;
  analysis_folder: string;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface CreateProjectInput {
  readonly name: string;
  readonly root: string;
  readonly layout: LayoutKind;
  readonly analysisFolder?: string;
}

/**
 * Registers a project. With `own` (the CLI always passes it), the root is checked against Cohort's own
 * files and the other projects' roots ({@link rootConflict}).
 *
 * @throws CohortError INVALID_INPUT (name, layout, a root that would expose Cohort's files or overlap
 *   another project), NOT_FOUND (no such folder), CONFLICT (name taken).
 */
export function createProject(db: Db, input: CreateProjectInput, own?: OwnPaths): Project {
  if (!NAME_PATTERN.test(input.name)) {
    throw invalidInput(
      `Invalid project name '${input.name}'.`,
      'Use 1-64 letters, digits, dot, dash or underscore, starting with a letter or digit.',
    );
  }
  if (!LAYOUT_KINDS.includes(input.layout)) {
    throw invalidInput(
      `Unknown layout '${String(input.layout)}'.`,
      `Use one of: ${LAYOUT_KINDS.join(', ')}.`,
    );
  }
  const root = resolve(input.root);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw notFound(
      `Project root ${root} is not a folder.`,
      'Create the folder or give the path of an existing one.',
    );
  }
  if (own !== undefined) {
    const conflict = rootConflict(realpathSync(root), own, listProjects(db));
    if (conflict !== undefined) {
      throw invalidInput(
        `Project root ${root} cannot be used: ${conflict}.`,
        "Give a folder that holds only this project's data, outside COHORT_HOME's own files and other projects' roots.",
      );
    }
  }
  // In a BIDS dataset results belong in derivatives/: ANALYSIS#name is derivatives/name there.
  const analysisFolder = input.analysisFolder ?? (input.layout === 'bids' ? DERIVATIVES : 'analysis');
  if (input.layout === 'bids' && analysisFolder !== DERIVATIVES) {
    throw invalidInput(
      `A BIDS project keeps its analysis folders in ${DERIVATIVES}/, not '${analysisFolder}'.`,
      'Leave out --analysis-folder for a BIDS project: ANALYSIS#name is derivatives/name there.',
    );
  }
  if (analysisFolder.includes('/') || analysisFolder.startsWith('.') || analysisFolder === '') {
    throw invalidInput(
      `Invalid analysis folder '${analysisFolder}'.`,
      'Give a plain folder name such as "analysis".',
    );
  }
  if (db.prepare('SELECT 1 FROM projects WHERE name = ?').get(input.name) !== undefined) {
    throw new CohortError('CONFLICT', `A project named '${input.name}' already exists.`, {
      hint: 'Choose another name, or rescan the existing project with `cohort rescan`.',
    });
  }
  const info = db
    .prepare('INSERT INTO projects (name, root, layout, analysis_folder, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(input.name, realpathSync(root), input.layout, analysisFolder, Date.now());
  return getProjectById(db, Number(info.lastInsertRowid));
}

export function listProjects(db: Db): Project[] {
  return (db.prepare('SELECT * FROM projects ORDER BY name').all() as ProjectRow[]).map(toProject);
}

export function getProjectById(db: Db, id: number): Project {
  const row = db.prepare('SELECT * FROM projects WHERE id = ?').get(id) as ProjectRow | undefined;
  if (row === undefined) throw notFound(`No project with id ${id}.`);
  return toProject(row);
}

/**
 * Finds the project to work on: the named one, or the only one when there is exactly one.
 */
export function findProject(db: Db, name: string | undefined): Project {
  if (name !== undefined) {
    const row = db.prepare('SELECT * FROM projects WHERE name = ?').get(name) as ProjectRow | undefined;
    if (row === undefined) {
      throw notFound(`No project named '${name}'.`, 'List projects with `cohort projects`.');
    }
    return toProject(row);
  }
  const all = listProjects(db);
  if (all.length === 1 && all[0] !== undefined) return all[0];
  if (all.length === 0) {
    throw notFound(
      'The catalog has no project yet.',
      'Create one with `cohort create NAME ROOT`, or a demo with `cohort demo`.',
    );
  }
  throw invalidInput(
    `The catalog holds ${all.length} projects; which one is meant?`,
    `Pass --project NAME (one of: ${all.map((p) => p.name).join(', ')}) or set COHORT_PROJECT.`,
  );
}

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    root: row.root,
    layout: row.layout,
    analysisFolder: row.analysis_folder,
  };
}

/** A project's name by id, or undefined when there is none. */
export function projectName(db: Db, id: number): string | undefined {
  return db.prepare('SELECT name FROM projects WHERE id = ?').pluck().get(id) as string | undefined;
}

/** A project with the counts of its present subjects, studies and files (`cohort projects`). */
export interface ProjectSummary {
  readonly name: string;
  readonly root: string;
  readonly layout: string;
  readonly subjects: number;
  readonly studies: number;
  readonly files: number;
}

/** Every project with its counts, by name. */
export function projectSummaries(db: Db): ProjectSummary[] {
  return db
    .prepare(
      `SELECT p.name, p.root, p.layout,
         (SELECT count(*) FROM subjects s WHERE s.project_id = p.id AND s.present = 1) AS subjects,
         (SELECT count(*) FROM studies s WHERE s.project_id = p.id AND s.present = 1 AND s.subject_level = 0) AS studies,
         (SELECT count(*) FROM files f WHERE f.project_id = p.id AND f.present = 1) AS files
       FROM projects p ORDER BY p.name`,
    )
    .all() as ProjectSummary[];
}

/** Days each project keeps the folders of its successful tasks (undefined: forever), by project id. */
export function logRetentionDays(db: Db): Map<number, number | undefined> {
  const rows = db.prepare('SELECT id, log_retention_days AS days FROM projects').all() as Array<{
    id: number;
    days: number | null;
  }>;
  return new Map(rows.map((r) => [r.id, r.days ?? undefined]));
}

/** Sets how many days a project keeps the folders of its successful tasks (null: forever). */
export function setLogRetentionDays(db: Db, projectId: number, days: number | null): void {
  db.prepare('UPDATE projects SET log_retention_days = ? WHERE id = ?').run(days, projectId);
}
