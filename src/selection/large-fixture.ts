import type { Project } from '../catalog/project-store.js';
import { studySortKey } from '../catalog/study-order.js';
import { openDatabase, type Db } from '../db/open-database.js';

/** Size of a synthetic catalog for timing the selection queries. */
export interface LargeFixtureShape {
  readonly subjects: number;
  readonly studiesPerSubject: number;
  readonly seriesPerStudy: number;
  readonly filesPerSeries: number;
}

/** 1,000 subjects x 5 studies = 5,000 studies; x 10 series x 5 files = 250,000 files. */
export const LARGE_SHAPE: LargeFixtureShape = {
  subjects: 1_000,
  studiesPerSubject: 5,
  seriesPerStudy: 10,
  filesPerSeries: 5,
};

const SERIES = [
  't1_mprage',
  'flair_tra',
  'dwi_64dir',
  'rest_bold',
  'swi',
  't2_tse',
  'pd',
  'asl',
  't1_tra',
  'loc',
];

/**
 * An in-memory catalog of the given shape, filled with plain SQL (a second or two for 250,000 files).
 * Every third study is tagged `qc_ok`, every other subject `control`, and the first file of each
 * `t1_mprage` series `best`.
 */
export function createLargeFixture(shape: LargeFixtureShape = LARGE_SHAPE): { db: Db; project: Project } {
  const db = openDatabase(':memory:', { busyTimeoutMs: 1000 });
  const projectId = Number(
    db
      .prepare(
        `INSERT INTO projects (name, root, layout, created_at) VALUES ('large', '/data/large', 'folders', 0)`,
      )
      .run().lastInsertRowid,
  );
  const subject = db.prepare('INSERT INTO subjects (project_id, pid, folder) VALUES (?, ?, ?)');
  const subjectTag = db.prepare(`INSERT INTO subject_tags (subject_id, tag) VALUES (?, 'control')`);
  const study = db.prepare(
    'INSERT INTO studies (project_id, subject_id, sid, folder, sort_key) VALUES (?, ?, ?, ?, ?)',
  );
  const studyTag = db.prepare(`INSERT INTO study_tags (study_id, tag) VALUES (?, 'qc_ok')`);
  const file = db.prepare(
    'INSERT INTO files (project_id, study_id, path, size, mtime_ms) VALUES (?, ?, ?, ?, ?)',
  );
  const fileTag = db.prepare(`INSERT INTO file_tags (file_id, tag) VALUES (?, 'best')`);
  db.transaction(() => {
    let studyCount = 0;
    for (let p = 0; p < shape.subjects; p++) {
      const pid = `S${String(p + 1).padStart(5, '0')}`;
      const subjectId = subject.run(projectId, pid, pid).lastInsertRowid;
      if (p % 2 === 0) subjectTag.run(subjectId);
      for (let s = 0; s < shape.studiesPerSubject; s++) {
        const sid = `2020${String((s % 12) + 1).padStart(2, '0')}${String((p % 28) + 1).padStart(2, '0')}_${s}`;
        const studyId = study.run(
          projectId,
          subjectId,
          sid,
          `${pid}/${sid}`,
          studySortKey(sid),
        ).lastInsertRowid;
        if (studyCount++ % 3 === 0) studyTag.run(studyId);
        for (let r = 0; r < shape.seriesPerStudy; r++) {
          const series = `${SERIES[r % SERIES.length] ?? 'series'}_${r}`;
          for (let f = 0; f < shape.filesPerSeries; f++) {
            const path = `${series}/s${String(f).padStart(3, '0')}.nii`;
            const fileId = file.run(
              projectId,
              studyId,
              path,
              1000 + f,
              1_600_000_000_000 + f,
            ).lastInsertRowid;
            if (r === 0 && f === 0) fileTag.run(fileId);
          }
        }
      }
    }
  })();
  db.pragma('optimize');
  const project: Project = {
    id: projectId,
    name: 'large',
    root: '/data/large',
    layout: 'folders',
    analysisFolder: 'analysis',
  };
  return { db, project };
}
