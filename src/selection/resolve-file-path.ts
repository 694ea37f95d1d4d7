import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { DERIVATIVES, derivativeOf } from '../catalog/layout/derivatives.js';
import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { CohortError, notFound } from '../errors/cohort-error.js';

/**
 * Finds the catalog id of the present study file at an absolute path.
 *
 * The path is normalised first (`.`/`..`). When it lies outside the project root as written but exists
 * on disk, its real path is tried too: on clusters `/home` is often a symlink, while the project root is
 * stored symlink-free.
 *
 * @throws CohortError PATH_OUTSIDE_ROOT when the path is not inside the project root.
 * @throws CohortError NOT_FOUND when no present file of a present study has that path.
 */
export function resolveFilePath(db: Db, project: Project, path: string): number {
  const relativePath = relativeToRoot(project, path);
  // The file may sit at any depth below its study folder, so try each split of the path into a study
  // folder and a file path: a handful of indexed lookups.
  const lookup = db
    .prepare(
      `SELECT f.id FROM studies s
         JOIN subjects sub ON sub.id = s.subject_id
         JOIN files f ON f.study_id = s.id AND f.path = ?
       WHERE s.project_id = ? AND s.folder IN (?, ?) AND s.present = 1 AND sub.present = 1 AND f.present = 1`,
    )
    .pluck();
  // A BIDS derivative (derivatives/<pipeline>/sub-01/...) is catalogued with its study as
  // derivatives/<pipeline>/<path below the study>.
  const derivative = derivativeOf(project.layout, relativePath);
  const inStudy = derivative === null ? relativePath : derivative.rest;
  const prefix = derivative === null ? '' : `${DERIVATIVES}/${derivative.pipeline}/`;
  for (let slash = inStudy.indexOf('/'); slash > 0; slash = inStudy.indexOf('/', slash + 1)) {
    const folder = inStudy.slice(0, slash);
    const filePath = `${prefix}${inStudy.slice(slash + 1)}`;
    const id = lookup.get(filePath, project.id, folder, join(project.root, folder)) as number | undefined;
    if (id !== undefined) return id;
  }
  throw notFound(
    `${path} is not a file of a study in project '${project.name}'.`,
    'Check the path; if the file is new, rescan the project so the catalog knows it.',
    { path, project: project.name },
  );
}

function relativeToRoot(project: Project, path: string): string {
  const root = project.root;
  const lexical = relativeInside(root, resolve(path));
  if (lexical !== null) return lexical;
  const real = existsSync(path) ? relativeInside(root, realpathSync(path)) : null;
  if (real !== null) return real;
  throw new CohortError(
    'PATH_OUTSIDE_ROOT',
    `${path} lies outside the root of project '${project.name}' (${root}).`,
    {
      hint: `Give a path inside ${root}, or select files by pattern with file:PATTERN.`,
      context: { path, root },
    },
  );
}

/** The path relative to root with `/` separators, or null when it is not strictly inside root. */
function relativeInside(root: string, absolute: string): string | null {
  const rel = relative(root, absolute);
  if (rel === '' || rel === '..' || rel.startsWith('../') || isAbsolute(rel)) return null;
  return rel;
}
