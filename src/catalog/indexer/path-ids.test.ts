import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../db/open-database.js';
import { CatalogWriter, emptyCounts } from './catalog-writer.js';
import { PathIds } from './path-ids.js';

// files.path_id must name the row of file_paths with the file's path, whoever writes the file: the
// indexer through PathIds, anything else through the triggers of migration 29.

function catalog(path = ':memory:'): { db: Db; studyId: number } {
  const db = openDatabase(path, { busyTimeoutMs: 1000 });
  db.prepare(
    `INSERT INTO projects (name, root, layout, created_at) VALUES ('p', '/data/p', 'folders', 0)`,
  ).run();
  db.prepare(`INSERT INTO subjects (project_id, pid, folder) VALUES (1, 'S1', 'S1')`).run();
  const studyId = Number(
    db
      .prepare(
        `INSERT INTO studies (project_id, subject_id, sid, folder, sort_key) VALUES (1, 1, 'a', 'S1/a', 'a')`,
      )
      .run().lastInsertRowid,
  );
  return { db, studyId };
}

/** Files whose path_id is not their path's id (or is missing): none may exist. */
const wrongIds = (db: Db): unknown[] =>
  db
    .prepare(
      `SELECT f.id, f.path, f.path_id FROM files f LEFT JOIN file_paths p ON p.path = f.path
       WHERE f.study_id IS NOT NULL AND f.path_id IS NOT p.id OR p.id IS NULL AND f.study_id IS NOT NULL`,
    )
    .all();

const insert = (db: Db, studyId: number, path: string, pathId: number | null): void => {
  db.prepare(
    'INSERT INTO files (project_id, study_id, path, size, mtime_ms, path_id) VALUES (1, ?, ?, 1, 1, ?)',
  ).run(studyId, path, pathId);
};

describe('files.path_id', () => {
  it('is filled by the triggers for a writer that leaves it out, on insert and on a changed path', () => {
    const { db, studyId } = catalog();
    insert(db, studyId, 't1/s000.nii', null);
    insert(db, studyId, 't1/s001.nii', null);
    db.prepare(`UPDATE files SET path = 'T1/renamed.nii' WHERE path = 't1/s001.nii'`).run();
    expect(wrongIds(db)).toEqual([]);
    expect(db.prepare('SELECT path FROM file_paths ORDER BY path').pluck().all()).toEqual([
      'T1/renamed.nii',
      't1/s000.nii',
      't1/s001.nii',
    ]);
    // Analysis files keep no path id: selections never match them by pattern.
    db.prepare(`INSERT INTO analyses (project_id, name, folder) VALUES (1, 'an', 'analysis/an')`).run();
    db.prepare(
      `INSERT INTO files (project_id, analysis_id, path, size, mtime_ms) VALUES (1, 1, 'group.csv', 1, 1)`,
    ).run();
    expect(db.prepare(`SELECT path_id FROM files WHERE path = 'group.csv'`).pluck().get()).toBeNull();
  });

  it('is the id PathIds gives, and a wrong remembered id (a rolled-back transaction) is corrected', () => {
    const { db, studyId } = catalog();
    const ids = new PathIds(db);
    // An id taken inside a transaction that is then rolled back: the path is gone, the id remembered.
    expect(() =>
      db.transaction(() => {
        insert(db, studyId, 'dwi/s000.nii', ids.of('dwi/s000.nii'));
        throw new Error('rolled back');
      })(),
    ).toThrow('rolled back');
    expect(db.prepare('SELECT count(*) FROM file_paths').pluck().get()).toBe(0);
    insert(db, studyId, 'flair/s000.nii', ids.of('flair/s000.nii')); // may reuse the rolled-back id
    insert(db, studyId, 'dwi/s000.nii', ids.of('dwi/s000.nii'));
    insert(db, studyId, 'swi/s000.nii', 12345);
    expect(wrongIds(db)).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM files WHERE path_id IS NULL').pluck().get()).toBe(0);
  });

  it('is written by the indexer for study files, not for analysis files, on insert and on rescan', () => {
    const { db } = catalog();
    const writer = new CatalogWriter(db, 1, emptyCounts());
    const file = (path: string, size = 1) => ({ path, size, mtimeMs: 1, entities: null });
    const study = (name: string, paths: readonly string[]) => ({
      kind: 'study' as const,
      name,
      folder: `S2/${name}`,
      upserts: paths.map((p) => file(p)),
      added: paths.length,
      changed: 0,
      unchanged: 0,
      removed: [],
    });
    const scan = { pid: 'S2', folder: 'S2', goneStudies: [], unchanged: false };
    writer.write(
      [{ ...scan, studies: [study('x', ['t1/a.nii', 'dwi/a.nii']), study('y', ['t1/a.nii'])] }],
      [{ ...study('group', ['stats.csv']), kind: 'analysis', folder: 'analysis/group' }],
    );
    // A rescan that changes a file's size keeps its path and its id.
    writer.write([{ ...scan, studies: [{ ...study('y', []), upserts: [file('t1/a.nii', 9)] }] }], []);
    expect(wrongIds(db)).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM file_paths').pluck().get()).toBe(2);
    expect(db.prepare(`SELECT path_id FROM files WHERE path = 'stats.csv'`).pluck().get()).toBeNull();
  });

  it('is filled for the files of a catalog made before migration 29', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-path-ids-'));
    try {
      const path = join(dir, 'catalog.db');
      const { db, studyId } = catalog(path);
      insert(db, studyId, 'b/s000.nii', null);
      insert(db, studyId, 'a/s000.nii', null);
      // Back to version 28's schema, the files kept.
      db.exec(`DROP TRIGGER files_path_id_insert; DROP TRIGGER files_path_id_update;
        DROP INDEX files_study_path_id; ALTER TABLE files DROP COLUMN path_id; DROP TABLE file_paths;
        DELETE FROM schema_migrations WHERE version = 29;`);
      db.close();
      const reopened = openDatabase(path, { busyTimeoutMs: 1000 });
      expect(wrongIds(reopened)).toEqual([]);
      expect(reopened.prepare('SELECT count(*) FROM files WHERE path_id IS NULL').pluck().get()).toBe(0);
      reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
