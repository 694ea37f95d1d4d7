import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CohortError } from '../errors/cohort-error.js';
import { DERIVATIVES } from './layout/derivatives.js';
import { makeLayout } from './layout/make-layout.js';
import { SUBJECT_LEVEL_SID } from './layout/subject-level.js';
import type { Project } from './project-store.js';

/**
 * Resolves `path` (absolute, or relative to `cwd`) to a path relative to the project root, following
 * symbolic links first so that no link can smuggle a path out of the root. The file itself need not
 * exist yet (its parent folder must).
 */
export function pathInsideRoot(project: Project, path: string, cwd = process.cwd()): string {
  const abs = isAbsolute(path) ? path : resolve(cwd, path);
  const real = existsSync(abs) ? realpathSync(abs) : join(realParent(dirname(abs)), basename(abs));
  const rel = relative(project.root, real);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new CohortError(
      'PATH_OUTSIDE_ROOT',
      `${abs} is outside the root of project '${project.name}' (${project.root}).`,
      {
        hint: 'Give a path inside the project folder, or copy the file in with `cohort add FILE --study SUBJECT#STUDY`.',
        context: { path: abs, root: project.root },
      },
    );
  }
  return rel.split(sep).join('/');
}

function realParent(dir: string): string {
  if (existsSync(dir)) return realpathSync(dir);
  const parent = dirname(dir);
  if (parent === dir) return dir;
  return join(realParent(parent), basename(dir));
}

/** Where a root-relative path sits in the project's layout. */
export type LayoutPlace =
  | {
      readonly kind: 'study';
      readonly pid: string;
      readonly subjectFolder: string;
      readonly sid: string;
      readonly folder: string;
      readonly path: string;
      /** The subject's own container (BIDS files beside its sessions). */
      readonly subjectLevel?: boolean;
    }
  | { readonly kind: 'analysis'; readonly name: string; readonly folder: string; readonly path: string };

/**
 * Places a root-relative file path in the layout (which subject, study or analysis folder it belongs to),
 * or returns null for paths outside any (a file directly in a subject folder, say).
 */
export function placeInLayout(project: Project, rel: string): LayoutPlace | null {
  const parts = rel.split('/');
  const [top, second] = parts;
  if (top === undefined || second === undefined) return null;
  if (top === DERIVATIVES && project.layout === 'bids' && parts.length > 3) {
    // derivatives/<pipeline>/sub-01/...: the study's, under the path derivatives/<pipeline>/...
    const inStudy = placeInLayout(project, parts.slice(2).join('/'));
    if (inStudy?.kind === 'study') return { ...inStudy, path: `${DERIVATIVES}/${second}/${inStudy.path}` };
  }
  if (top === project.analysisFolder) {
    return parts.length < 3
      ? null
      : { kind: 'analysis', name: second, folder: `${top}/${second}`, path: parts.slice(2).join('/') };
  }
  const layout = makeLayout(project.layout, project.analysisFolder);
  const pid = layout.subjectOf(top);
  if (pid === null) return null;
  const subfolders = listDirs(join(project.root, top));
  if (!subfolders.includes(second) && parts.length > 2) subfolders.push(second);
  const studies = layout.studiesOf(subfolders);
  const inSession = studies.some((s) => s.folder === second && parts.length > 2);
  if (project.layout === 'bids' && !inSession && studies.some((s) => s.folder !== '')) {
    // Beside the sessions: the subject's own container.
    const path = parts.slice(1).join('/');
    return {
      kind: 'study',
      pid,
      subjectFolder: top,
      sid: SUBJECT_LEVEL_SID,
      folder: top,
      path,
      subjectLevel: true,
    };
  }
  for (const study of studies) {
    if (study.folder === '') {
      return {
        kind: 'study',
        pid,
        subjectFolder: top,
        sid: study.sid,
        folder: top,
        path: parts.slice(1).join('/'),
      };
    }
    if (study.folder === second && parts.length > 2) {
      return {
        kind: 'study',
        pid,
        subjectFolder: top,
        sid: study.sid,
        folder: `${top}/${second}`,
        path: parts.slice(2).join('/'),
      };
    }
  }
  return null;
}

function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}
