import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { CohortError, invalidInput, notFound } from '../errors/cohort-error.js';
import { validateBatch, type BatchDefinition, type BatchLevel } from './batch-definition.js';

/** Where a saved batch lives: its name within a folder (`''`, the default, is the top level). */
export interface BatchKey {
  readonly name: string;
  /** `/`-separated folder path, e.g. `dti/qc`; default `''`. */
  readonly folder?: string;
}

/** A row of the batch list. */
export interface BatchListEntry {
  readonly id: number;
  readonly folder: string;
  readonly name: string;
  readonly favourite: boolean;
  readonly level: BatchLevel;
  readonly description: string;
  readonly jobNames: readonly string[];
  /** Milliseconds since the epoch. */
  readonly updatedAt: number;
}

export interface SaveBatchOptions {
  /** Default `''` (top level). */
  readonly folder?: string;
  /** Leave unset to keep the saved batch's flag (false for a new one). */
  readonly favourite?: boolean;
}

interface BatchRow {
  readonly id: number;
  readonly folder: string;
  readonly name: string;
  readonly favourite: number;
  readonly definition: string;
  readonly updated_at: number;
}

/**
 * Saves a batch under its name in a folder, replacing the batch saved there before (its favourite flag
 * is kept unless `options.favourite` says otherwise).
 *
 * @throws CohortError INVALID_INPUT for an invalid batch or folder.
 */
export function saveBatch(
  db: Db,
  project: Project,
  batch: BatchDefinition,
  options: SaveBatchOptions = {},
): BatchListEntry {
  const definition = validateBatch(batch);
  const folder = checkFolder(options.folder ?? '');
  checkName(definition.name);
  const favourite = options.favourite === undefined ? null : options.favourite ? 1 : 0;
  db.prepare(
    `INSERT INTO batches (project_id, folder, name, favourite, definition, updated_at)
     VALUES (?, ?, ?, coalesce(?, 0), ?, ?)
     ON CONFLICT (project_id, folder, name) DO UPDATE SET
       definition = excluded.definition, updated_at = excluded.updated_at,
       favourite = coalesce(?, favourite)`,
  ).run(project.id, folder, definition.name, favourite, JSON.stringify(definition), Date.now(), favourite);
  return toEntry(getRow(db, project, { name: definition.name, folder }));
}

/**
 * The saved batch, validated again (a definition stored by an older version must still make sense).
 *
 * @throws CohortError NOT_FOUND when no batch is saved under that key.
 */
export function loadBatch(db: Db, project: Project, key: BatchKey): BatchDefinition {
  return validateBatch(JSON.parse(getRow(db, project, key).definition));
}

/**
 * The batch list, ordered by folder then name. `folder` restricts it to that folder and its subfolders.
 */
export function listBatches(
  db: Db,
  project: Project,
  filter: { readonly folder?: string; readonly favouritesOnly?: boolean } = {},
): BatchListEntry[] {
  const folder = filter.folder === undefined ? null : checkFolder(filter.folder);
  const rows = db
    .prepare(
      `SELECT id, folder, name, favourite, definition, updated_at FROM batches
       WHERE project_id = @project
         AND (@folder IS NULL OR @folder = '' OR folder = @folder OR substr(folder, 1, length(@folder) + 1) = @folder || '/')
         AND (@favourites = 0 OR favourite = 1)
       ORDER BY folder, name`,
    )
    .all({ project: project.id, folder, favourites: filter.favouritesOnly === true ? 1 : 0 }) as BatchRow[];
  return rows.map(toEntry);
}

/**
 * Copies a saved batch to a new key (the copy is no favourite).
 *
 * @throws CohortError NOT_FOUND for a missing source; CONFLICT when the target is taken.
 */
export function duplicateBatch(db: Db, project: Project, from: BatchKey, to: BatchKey): BatchListEntry {
  return db.transaction(() => {
    const batch = loadBatch(db, project, from);
    ensureFree(db, project, to);
    return saveBatch(db, project, { ...batch, name: to.name }, { folder: to.folder ?? '', favourite: false });
  })();
}

/**
 * Renames a saved batch and/or moves it to another folder, keeping its favourite flag.
 *
 * @throws CohortError NOT_FOUND for a missing source; CONFLICT when the target is taken.
 */
export function moveBatch(db: Db, project: Project, from: BatchKey, to: BatchKey): BatchListEntry {
  return db.transaction(() => {
    const row = getRow(db, project, from);
    const folder = checkFolder(to.folder ?? '');
    checkName(to.name);
    if (row.folder === folder && row.name === to.name) return toEntry(row);
    ensureFree(db, project, to);
    const batch = validateBatch({ ...(JSON.parse(row.definition) as object), name: to.name });
    db.prepare('UPDATE batches SET folder = ?, name = ?, definition = ?, updated_at = ? WHERE id = ?').run(
      folder,
      to.name,
      JSON.stringify(batch),
      Date.now(),
      row.id,
    );
    return toEntry(getRow(db, project, { name: to.name, folder }));
  })();
}

/** Marks or unmarks a saved batch as favourite. @throws CohortError NOT_FOUND. */
export function setBatchFavourite(db: Db, project: Project, key: BatchKey, favourite: boolean): void {
  const row = getRow(db, project, key);
  db.prepare('UPDATE batches SET favourite = ? WHERE id = ?').run(favourite ? 1 : 0, row.id);
}

/** Deletes a saved batch. @throws CohortError NOT_FOUND. */
export function deleteBatch(db: Db, project: Project, key: BatchKey): void {
  const row = getRow(db, project, key);
  db.prepare('DELETE FROM batches WHERE id = ?').run(row.id);
}

function getRow(db: Db, project: Project, key: BatchKey): BatchRow {
  const folder = key.folder ?? '';
  const row = db
    .prepare(
      'SELECT id, folder, name, favourite, definition, updated_at FROM batches WHERE project_id = ? AND folder = ? AND name = ?',
    )
    .get(project.id, folder, key.name) as BatchRow | undefined;
  if (row === undefined) {
    throw notFound(
      `No batch '${key.name}'${folder === '' ? '' : ` in folder '${folder}'`} in project '${project.name}'.`,
      'List the saved batches to see their names and folders.',
      { batch: key.name, folder },
    );
  }
  return row;
}

function ensureFree(db: Db, project: Project, key: BatchKey): void {
  const folder = key.folder ?? '';
  const taken = db
    .prepare('SELECT 1 FROM batches WHERE project_id = ? AND folder = ? AND name = ?')
    .get(project.id, folder, key.name);
  if (taken !== undefined) {
    throw new CohortError('CONFLICT', `A batch '${key.name}' already exists in folder '${folder}'.`, {
      hint: 'Choose another name or folder, or delete the existing batch first.',
      context: { batch: key.name, folder },
    });
  }
}

function toEntry(row: BatchRow): BatchListEntry {
  const batch = JSON.parse(row.definition) as Partial<BatchDefinition>;
  return {
    id: row.id,
    folder: row.folder,
    name: row.name,
    favourite: row.favourite === 1,
    level: batch.level ?? 'study',
    description: batch.description ?? '',
    jobNames: (batch.jobs ?? []).map((job) => job.name),
    updatedAt: row.updated_at,
  };
}

function checkName(name: string): void {
  if (name.trim() === '' || name.length > 200 || /[/\p{Cc}]/u.test(name)) {
    throw invalidInput(
      `Invalid batch name '${name}'.`,
      'Give 1-200 characters without / or control characters; put the batch in a folder instead of using /.',
    );
  }
}

/** A folder path with `/` between non-empty names, no `.` or `..`; `''` is the top level. */
function checkFolder(folder: string): string {
  if (folder === '') return '';
  const parts = folder.split('/');
  if (parts.some((p) => p.trim() === '' || p === '.' || p === '..' || /\p{Cc}/u.test(p))) {
    throw invalidInput(
      `Invalid batch folder '${folder}'.`,
      'Give folder names separated by /, e.g. dti/qc, without empty names, . or ..; "" is the top level.',
    );
  }
  return folder;
}
