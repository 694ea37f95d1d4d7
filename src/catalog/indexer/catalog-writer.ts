import type { Db } from '../../db/open-database.js';
import { studySortKey } from '../study-order.js';
import { PathIds } from './path-ids.js';
import type { ContainerChanges, SubjectScan } from './scan-types.js';

/** Counters of one index run. */
export interface IndexCounts {
  subjectsAdded: number;
  studiesAdded: number;
  filesAdded: number;
  filesChanged: number;
  filesUnchanged: number;
  filesRemoved: number;
  studiesRemoved: number;
  subjectsRemoved: number;
}

export function emptyCounts(): IndexCounts {
  return {
    subjectsAdded: 0,
    studiesAdded: 0,
    filesAdded: 0,
    filesChanged: 0,
    filesUnchanged: 0,
    filesRemoved: 0,
    studiesRemoved: 0,
    subjectsRemoved: 0,
  };
}

/** Adds `delta` into `into`, field by field. */
export function addCounts(into: IndexCounts, delta: Readonly<IndexCounts>): void {
  for (const key of Object.keys(into) as Array<keyof IndexCounts>) into[key] += delta[key];
}

/**
 * Writes scan results into the catalog. Every statement is an upsert keyed by the natural keys
 * (project+pid, subject+sid, study+path), so a rerun after an interrupted index converges on the same
 * rows and duplicates nothing. Removed things are marked `present = 0`, keeping their ids and tags.
 */
export class CatalogWriter {
  private readonly upsertSubject;
  private readonly upsertStudy;
  private readonly upsertAnalysis;
  private readonly upsertStudyFile;
  private readonly upsertAnalysisFile;
  private readonly markStudyFileGone;
  private readonly markAnalysisFileGone;
  private readonly markStudyGone;
  private readonly writeBatch;
  private readonly maxIds;
  private readonly pathIds;

  constructor(
    private readonly db: Db,
    private readonly projectId: number,
    readonly counts: IndexCounts,
  ) {
    // RETURNING reports whether the row was new: the rowid only moves past max for inserts.
    this.upsertSubject = db.prepare(
      `INSERT INTO subjects (project_id, pid, folder, present) VALUES (?, ?, ?, 1)
       ON CONFLICT (project_id, pid) DO UPDATE SET folder = excluded.folder, present = 1
       RETURNING id`,
    );
    this.upsertStudy = db.prepare(
      `INSERT INTO studies (project_id, subject_id, sid, folder, sort_key, subject_level, present)
       VALUES (?, ?, ?, ?, coalesce(?, ?), ?, 1)
       ON CONFLICT (subject_id, sid) DO UPDATE SET folder = excluded.folder, present = 1,
         sort_key = coalesce(?, sort_key)
       RETURNING id`,
    );
    this.upsertAnalysis = db.prepare(
      `INSERT INTO analyses (project_id, name, folder, present) VALUES (?, ?, ?, 1)
       ON CONFLICT (project_id, name) DO UPDATE SET folder = excluded.folder, present = 1
       RETURNING id`,
    );
    // path_id is bound for study files (PathIds) and NULL for analysis files; a conflict keeps the
    // path, so its id stays right.
    const fileUpsert = (column: string) =>
      db.prepare(
        `INSERT INTO files (project_id, ${column}, path, size, mtime_ms, present, entities, path_id)
         VALUES (?, ?, ?, ?, ?, 1, ?, ?)
         ON CONFLICT (${column}, path) WHERE ${column} IS NOT NULL
         DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, present = 1, entities = excluded.entities`,
      );
    this.upsertStudyFile = fileUpsert('study_id');
    this.upsertAnalysisFile = fileUpsert('analysis_id');
    this.markStudyFileGone = db.prepare('UPDATE files SET present = 0 WHERE study_id = ? AND path = ?');
    this.markAnalysisFileGone = db.prepare('UPDATE files SET present = 0 WHERE analysis_id = ? AND path = ?');
    this.markStudyGone = db.prepare(
      `UPDATE studies SET present = 0 WHERE subject_id = ? AND sid = ? AND present = 1 RETURNING id`,
    );
    this.pathIds = new PathIds(db);
    this.maxIds = {
      subjects: db.prepare('SELECT coalesce(max(id), 0) FROM subjects').pluck(),
      studies: db.prepare('SELECT coalesce(max(id), 0) FROM studies').pluck(),
    };
    this.writeBatch = db.transaction(
      (scans: readonly SubjectScan[], analyses: readonly ContainerChanges[]) => {
        for (const scan of scans) this.writeSubject(scan);
        for (const changes of analyses) this.writeAnalysis(changes);
      },
    );
  }

  /** Writes several subjects in one transaction (one fsync instead of many). */
  write(scans: readonly SubjectScan[], analyses: readonly ContainerChanges[]): void {
    // Nothing to write (a no-change rescan): no write transaction, so no wait for the write lock.
    if (analyses.length === 0 && scans.every((s) => s.unchanged)) {
      for (const scan of scans) this.writeSubject(scan);
      return;
    }
    this.writeBatch.immediate(scans, analyses);
  }

  private writeSubject(scan: SubjectScan): void {
    if (scan.unchanged) {
      for (const study of scan.studies) this.counts.filesUnchanged += study.unchanged;
      return;
    }
    const before = this.maxId('subjects');
    const subjectId = this.idOf(this.upsertSubject.get(this.projectId, scan.pid, scan.folder));
    if (subjectId > before) this.counts.subjectsAdded++;
    for (const study of scan.studies) {
      const beforeStudy = this.maxId('studies');
      const studyId = this.idOf(
        this.upsertStudy.get(
          this.projectId,
          subjectId,
          study.name,
          study.folder,
          // The layout's key (BIDS acq_time) when it has one; a registration keeps the stored one.
          study.sortKey ?? null,
          studySortKey(study.name),
          study.subjectLevel === true ? 1 : 0,
          study.sortKey ?? null,
        ),
      );
      if (studyId > beforeStudy) this.counts.studiesAdded++;
      this.writeFiles(studyId, study, this.upsertStudyFile, this.markStudyFileGone, (path) =>
        this.pathIds.of(path),
      );
    }
    for (const sid of scan.goneStudies) {
      const gone = this.markStudyGone.get(subjectId, sid);
      if (gone === undefined) continue;
      this.counts.studiesRemoved++;
      const info = this.db
        .prepare('UPDATE files SET present = 0 WHERE study_id = ? AND present = 1')
        .run(this.idOf(gone));
      this.counts.filesRemoved += info.changes;
    }
  }

  private writeAnalysis(changes: ContainerChanges): void {
    const id = this.idOf(this.upsertAnalysis.get(this.projectId, changes.name, changes.folder));
    this.writeFiles(id, changes, this.upsertAnalysisFile, this.markAnalysisFileGone, () => null);
  }

  private writeFiles(
    containerId: number,
    changes: ContainerChanges,
    upsert: typeof this.upsertStudyFile,
    markGone: typeof this.markStudyFileGone,
    pathIdOf: (path: string) => number | null,
  ): void {
    for (const f of changes.upserts)
      upsert.run(this.projectId, containerId, f.path, f.size, f.mtimeMs, f.entities, pathIdOf(f.path));
    for (const path of changes.removed) markGone.run(containerId, path);
    this.counts.filesAdded += changes.added;
    this.counts.filesChanged += changes.changed;
    this.counts.filesUnchanged += changes.unchanged;
    this.counts.filesRemoved += changes.removed.length;
  }

  /**
   * Marks subjects whose folders are gone from the root (and their studies and files) as missing.
   * Only called after a scan of the whole root, never for a partial rescan.
   */
  markSubjectsGone(presentFolders: ReadonlySet<string>): void {
    const rows = this.db
      .prepare('SELECT id, folder FROM subjects WHERE project_id = ? AND present = 1')
      .all(this.projectId) as Array<{ id: number; folder: string }>;
    const gone = rows.filter((r) => !presentFolders.has(r.folder));
    if (gone.length === 0) return;
    this.db
      .transaction(() => {
        for (const { id } of gone) {
          this.db.prepare('UPDATE subjects SET present = 0 WHERE id = ?').run(id);
          this.counts.studiesRemoved += this.db
            .prepare('UPDATE studies SET present = 0 WHERE subject_id = ? AND present = 1')
            .run(id).changes;
          this.counts.filesRemoved += this.db
            .prepare(
              'UPDATE files SET present = 0 WHERE present = 1 AND study_id IN (SELECT id FROM studies WHERE subject_id = ?)',
            )
            .run(id).changes;
          this.counts.subjectsRemoved++;
        }
      })
      .immediate();
  }

  private maxId(table: 'subjects' | 'studies'): number {
    return Number(this.maxIds[table].get());
  }

  private idOf(row: unknown): number {
    return Number((row as { id: number }).id);
  }
}
