import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Project } from '../catalog/project-store.js';
import { CohortError, invalidInput, notFound } from '../errors/cohort-error.js';

/** A regular file inside a project root, by its real (symlink-free) path. */
export interface ProjectFile {
  readonly absolutePath: string;
  /** Relative to the root, `/`-separated. */
  readonly rootPath: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Resolves a path relative to a project root given by a client, refusing anything that could leave the
 * root: absolute paths, `..` segments (also after URL decoding, which the caller has done), NUL bytes,
 * and symbolic links whose target lies outside. The file must exist and be a regular file.
 *
 * @throws CohortError PATH_OUTSIDE_ROOT, NOT_FOUND, INVALID_INPUT (a folder, not a file).
 */
export function projectFile(project: Project, rootPath: string): ProjectFile {
  if (rootPath.includes('\0') || isAbsolute(rootPath) || /^[\\/]/.test(rootPath))
    throw outside(project, rootPath);
  if (rootPath.split(/[\\/]/).includes('..')) throw outside(project, rootPath);
  return realFileInside(project, join(project.root, rootPath), rootPath);
}

/**
 * Checks that an absolute path the catalog holds (a study folder plus a file path) really lies inside
 * the root once symbolic links are followed, and is a regular file.
 */
export function realFileInside(project: Project, absolute: string, shown: string): ProjectFile {
  let real: string;
  try {
    real = realpathSync(absolute);
  } catch {
    throw notFound(
      `No file '${shown}' in project '${project.name}'.`,
      'Check the path; a rescan updates the catalog.',
    );
  }
  const rel = relative(project.root, real);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    throw outside(project, shown);
  const stat = statSync(real);
  if (!stat.isFile())
    throw invalidInput(`'${shown}' is not a file.`, 'Give the path of a file, not a folder.');
  return {
    absolutePath: real,
    rootPath: rel.split(sep).join('/'),
    size: stat.size,
    mtimeMs: Math.round(stat.mtimeMs),
  };
}

function outside(project: Project, path: string): CohortError {
  return new CohortError('PATH_OUTSIDE_ROOT', `'${path}' is not a path inside project '${project.name}'.`, {
    hint: 'Give a path relative to the project root, without .. or a leading /.',
  });
}
