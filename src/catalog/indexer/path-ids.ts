import type { Db } from '../../db/open-database.js';

/**
 * Past this many remembered paths the memory is dropped: a BIDS tree names every file after its
 * subject, so its distinct paths are as many as its files, and a writer must not hold them all.
 */
const MAX_REMEMBERED = 50_000;

/**
 * The `file_paths` id of a study file's relative path, as the indexer writes `files.path_id`
 * (selections match a file pattern against the few distinct paths, then find files by id).
 * Remembered per writer: a biobank's 2,000,000 files share 10 paths, so nearly every file costs a
 * map lookup and no statement. A remembered id that a rolled-back transaction took is corrected by
 * the `files_path_id_*` triggers (migration 29), which check every written id.
 */
export class PathIds {
  private readonly ids = new Map<string, number>();
  private readonly insert;
  private readonly find;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT INTO file_paths (path) VALUES (?) ON CONFLICT (path) DO NOTHING');
    this.find = db.prepare('SELECT id FROM file_paths WHERE path = ?').pluck();
  }

  /** The id of `path`, added to `file_paths` when new. Call inside the write transaction. */
  of(path: string): number {
    const known = this.ids.get(path);
    if (known !== undefined) return known;
    this.insert.run(path);
    const id = Number(this.find.get(path));
    if (this.ids.size >= MAX_REMEMBERED) this.ids.clear();
    this.ids.set(path, id);
    return id;
  }
}
