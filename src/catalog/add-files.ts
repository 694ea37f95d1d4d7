import { constants, copyFileSync, mkdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import type { Catalog } from './catalog.js';
import { CohortError, invalidInput, isCohortError } from '../errors/cohort-error.js';
import { CatalogWriter, emptyCounts } from './indexer/catalog-writer.js';
import { makeLayout } from './layout/make-layout.js';
import { pathInsideRoot, placeInLayout, type LayoutPlace } from './project-paths.js';
import type { Project } from './project-store.js';
import { findStudy } from './study-lookup.js';
import { addTags, validateTags } from './tags.js';

export interface AddFilesOptions {
  /** Copy files from outside the project into this study (`SUBJECT#STUDY`). */
  readonly study?: string;
  /** Sub-folder of the study to copy into, e.g. `results`. Default: the study folder itself. */
  readonly into?: string;
  /** Tags for every added file. */
  readonly tags?: readonly string[];
  readonly cwd?: string;
}

export type AddFileResult =
  | {
      readonly input: string;
      readonly ok: true;
      readonly fileId: number;
      readonly path: string;
      readonly copied: boolean;
    }
  | { readonly input: string; readonly ok: false; readonly error: string; readonly hint?: string };

/**
 * Registers files in the catalog, one result per input (a bad path never stops the others).
 * A file inside the project root is registered where it lies; a file outside is copied into the study
 * given by `study` (never overwriting) and registered there. Used by `cohort add`, also inside jobs.
 */
export function addFiles(
  catalog: Catalog,
  project: Project,
  inputs: readonly string[],
  options: AddFilesOptions = {},
): AddFileResult[] {
  if (options.tags !== undefined && options.tags.length > 0) validateTags(options.tags);
  return inputs.map((input) => {
    try {
      return addOne(catalog, project, input, options);
    } catch (error) {
      if (!isCohortError(error)) throw error;
      return {
        input,
        ok: false,
        error: error.message,
        ...(error.hint === undefined ? {} : { hint: error.hint }),
      };
    }
  });
}

function addOne(catalog: Catalog, project: Project, input: string, options: AddFilesOptions): AddFileResult {
  const cwd = options.cwd ?? process.cwd();
  const abs = isAbsolute(input) ? input : resolve(cwd, input);
  let stats;
  try {
    stats = statSync(abs);
  } catch {
    throw new CohortError('NOT_FOUND', `${abs} does not exist.`, {
      hint: 'Check the path; write it in quotes if it has spaces.',
    });
  }
  if (!stats.isFile())
    throw invalidInput(`${abs} is not a regular file.`, 'Add files one by one, not folders.');

  let rel: string;
  let copied = false;
  if (options.study !== undefined && !isInside(project, abs)) {
    const study = findStudy(catalog.db, project, options.study);
    const into = options.into ?? '';
    rel = pathInsideRoot(project, join(project.root, study.folder, into, basename(abs)));
    const target = join(project.root, rel);
    mkdirSync(join(target, '..'), { recursive: true });
    try {
      copyFileSync(abs, target, constants.COPYFILE_EXCL);
    } catch {
      throw new CohortError('CONFLICT', `${target} already exists; not overwritten.`, {
        hint: 'Choose another name or folder with --into, or remove the existing file first.',
      });
    }
    copied = true;
  } else {
    rel = pathInsideRoot(project, abs);
  }
  const place = placeInLayout(project, rel);
  if (place === null) {
    throw invalidInput(
      `${abs} is not inside a study or analysis folder of project '${project.name}'.`,
      'Files belong in <subject>/<study>/..., or copy them into a study with --study SUBJECT#STUDY.',
    );
  }
  const fileId = register(catalog, project, place, join(project.root, rel));
  if (options.tags !== undefined && options.tags.length > 0)
    addTags(catalog.db, 'file', [fileId], options.tags);
  return { input, ok: true, fileId, path: join(project.root, rel), copied };
}

function isInside(project: Project, abs: string): boolean {
  try {
    pathInsideRoot(project, abs);
    return true;
  } catch {
    return false;
  }
}

/** Writes one file through the same writer the indexer uses, so both agree on every column. */
function register(catalog: Catalog, project: Project, place: LayoutPlace, abs: string): number {
  const stats = statSync(abs);
  const entities = makeLayout(project.layout, project.analysisFolder).entitiesOf(place.path);
  const file = {
    path: place.path,
    size: stats.size,
    mtimeMs: Math.trunc(stats.mtimeMs),
    entities: entities === null ? null : JSON.stringify(entities),
  };
  const changes = {
    name: place.kind === 'study' ? place.sid : place.name,
    folder: place.folder,
    upserts: [file],
    added: 1,
    changed: 0,
    unchanged: 0,
    removed: [],
  };
  const writer = new CatalogWriter(catalog.db, project.id, emptyCounts());
  if (place.kind === 'study') {
    writer.write(
      [
        {
          pid: place.pid,
          folder: place.subjectFolder,
          studies: [{ kind: 'study', ...changes, subjectLevel: place.subjectLevel === true }],
          goneStudies: [],
          unchanged: false,
        },
      ],
      [],
    );
    return Number(
      catalog.db
        .prepare(
          'SELECT f.id FROM files f JOIN studies s ON s.id = f.study_id WHERE s.project_id = ? AND s.folder = ? AND f.path = ?',
        )
        .pluck()
        .get(project.id, place.folder, place.path),
    );
  }
  writer.write([], [{ kind: 'analysis', ...changes }]);
  return Number(
    catalog.db
      .prepare(
        'SELECT f.id FROM files f JOIN analyses a ON a.id = f.analysis_id WHERE a.project_id = ? AND a.folder = ? AND f.path = ?',
      )
      .pluck()
      .get(project.id, place.folder, place.path),
  );
}
