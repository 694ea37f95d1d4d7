import type { Db } from '../db/open-database.js';
import { invalidInput } from '../errors/cohort-error.js';

export const TAG_LEVELS = ['subject', 'study', 'file'] as const;
export type TagLevel = (typeof TAG_LEVELS)[number];

// Letters, digits and a few marks; no spaces or ':' so that `STAG:x` terms stay unambiguous.
const TAG_PATTERN = /^[\p{L}\p{N}_.+-]{1,64}$/u;

const TABLES: Record<TagLevel, { table: string; column: string }> = {
  subject: { table: 'subject_tags', column: 'subject_id' },
  study: { table: 'study_tags', column: 'study_id' },
  file: { table: 'file_tags', column: 'file_id' },
};

/** Checks tag words, throwing an error that names the bad one. */
export function validateTags(tags: readonly string[]): void {
  if (tags.length === 0) throw invalidInput('No tag given.', 'Name at least one tag, e.g. qc_ok.');
  for (const tag of tags) {
    if (!TAG_PATTERN.test(tag)) {
      throw invalidInput(
        `Invalid tag '${tag}'.`,
        'Tags are 1-64 letters, digits, or _ . + - (no spaces or colons), e.g. qc_ok or baseline.',
      );
    }
  }
}

/** Adds tags to items; returns how many (item, tag) pairs were new. Idempotent. */
export function addTags(db: Db, level: TagLevel, ids: readonly number[], tags: readonly string[]): number {
  validateTags(tags);
  const { table, column } = TABLES[level];
  const insert = db.prepare(`INSERT OR IGNORE INTO ${table} (${column}, tag) VALUES (?, ?)`);
  let added = 0;
  db.transaction(() => {
    for (const id of ids) for (const tag of tags) added += insert.run(id, tag).changes;
  }).immediate();
  return added;
}

/** Removes tags from items; returns how many (item, tag) pairs were removed. */
export function removeTags(db: Db, level: TagLevel, ids: readonly number[], tags: readonly string[]): number {
  validateTags(tags);
  const { table, column } = TABLES[level];
  const remove = db.prepare(`DELETE FROM ${table} WHERE ${column} = ? AND tag = ?`);
  let removed = 0;
  db.transaction(() => {
    for (const id of ids) for (const tag of tags) removed += remove.run(id, tag).changes;
  }).immediate();
  return removed;
}

/** Tags of many items at once, keyed by item id. */
export function tagsOf(db: Db, level: TagLevel, ids: readonly number[]): Map<number, string[]> {
  const { table, column } = TABLES[level];
  const out = new Map<number, string[]>();
  if (ids.length === 0) return out;
  const rows = db
    .prepare(
      `SELECT ${column} AS id, tag FROM ${table} WHERE ${column} IN (SELECT value FROM json_each(?)) ORDER BY tag`,
    )
    .all(JSON.stringify(ids)) as Array<{ id: number; tag: string }>;
  for (const row of rows) {
    const list = out.get(row.id);
    if (list === undefined) out.set(row.id, [row.tag]);
    else list.push(row.tag);
  }
  return out;
}

const TAGGED_TABLE: Readonly<Record<TagLevel, string>> = {
  subject: 'subjects',
  study: 'studies',
  file: 'files',
};

/** Whether every id names a subject, study or file (by `level`) of the project. */
export function allInProject(db: Db, projectId: number, level: TagLevel, ids: readonly number[]): boolean {
  const unique = [...new Set(ids)];
  const found = db
    .prepare(
      `SELECT count(*) FROM ${TAGGED_TABLE[level]} WHERE project_id = ? AND id IN (SELECT value FROM json_each(?))`,
    )
    .pluck()
    .get(projectId, JSON.stringify(unique)) as number;
  return found === unique.length;
}
