import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { CohortConfig } from '../config/resolve-config.js';

/**
 * Cohort's own files, which no project may expose: COHORT_HOME (the database with password hashes and
 * session secrets, `runs/` with each run's job credential and logs, the user library) and the database
 * file wherever COHORT_DB puts it. Paths are real (symlink-free) where they exist.
 */
export interface OwnPaths {
  readonly home: string;
  readonly databasePath: string;
  /** Folders inside home that are Cohort's: run folders and the user library. */
  readonly ownFolders: readonly string[];
}

/** The own paths of a configuration. */
export function ownPaths(config: Pick<CohortConfig, 'home' | 'databasePath'>): OwnPaths {
  const home = real(config.home);
  return {
    home,
    databasePath: real(config.databasePath),
    ownFolders: [join(home, 'runs'), join(home, 'library')],
  };
}

/** Whether `path` is `folder` itself or lies inside it (both absolute and real). */
export function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Why a project root may not be used, or undefined when it may: it contains COHORT_HOME or the database,
 * it is COHORT_HOME or lies inside one of its own folders, or it overlaps another project's root (a file
 * would belong to two projects with different readers). A root in a plain subfolder of COHORT_HOME
 * (`~/.cohort/demo`, where `cohort demo` writes) holds nothing of Cohort's and is allowed.
 */
export function rootConflict(
  root: string,
  own: OwnPaths,
  projects: readonly { readonly name: string; readonly root: string }[],
): string | undefined {
  if (isInside(own.home, root)) return `it contains Cohort's own folder ${own.home} (COHORT_HOME)`;
  if (isInside(own.databasePath, root)) return `it contains the catalog database ${own.databasePath}`;
  const folder = own.ownFolders.find((f) => isInside(root, f));
  if (folder !== undefined) return `it lies inside Cohort's own folder ${folder}`;
  for (const p of projects) {
    if (isInside(root, p.root)) return `it lies inside the root of project '${p.name}' (${p.root})`;
    if (isInside(p.root, root)) return `it contains the root of project '${p.name}' (${p.root})`;
  }
  return undefined;
}

/**
 * Whether a real file path is one of Cohort's own: the database and its -wal/-shm/-journal files, a file
 * directly in COHORT_HOME, or anything in its own folders. File routes never serve these, whatever
 * the project roots (a root made before roots were checked may still contain COHORT_HOME).
 */
export function isOwnFile(path: string, own: OwnPaths): boolean {
  const db = own.databasePath;
  if ([db, `${db}-wal`, `${db}-shm`, `${db}-journal`].includes(path)) return true;
  if (dirname(path) === own.home) return true;
  return own.ownFolders.some((f) => isInside(path, f));
}

/** The real path of `path`, or of its nearest existing parent plus the rest when it does not exist. */
function real(path: string): string {
  const abs = resolve(path);
  if (existsSync(abs)) return realpathSync(abs);
  const parent = dirname(abs);
  return parent === abs ? abs : join(real(parent), basename(abs));
}
