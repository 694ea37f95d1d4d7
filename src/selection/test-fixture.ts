import type { Project } from '../catalog/project-store.js';
import { studySortKey } from '../catalog/study-order.js';
import { openDatabase, type Db } from '../db/open-database.js';

/** A file row of the fixture; `present` defaults to true. */
export interface FixtureFile {
  readonly path: string;
  readonly size?: number;
  readonly mtimeMs?: number;
  readonly tags?: readonly string[];
  readonly present?: boolean;
}

export interface FixtureStudy {
  readonly sid: string;
  readonly tags?: readonly string[];
  readonly description?: string;
  readonly present?: boolean;
  readonly files?: readonly FixtureFile[];
}

export interface FixtureSubject {
  readonly pid: string;
  readonly tags?: readonly string[];
  readonly present?: boolean;
  readonly studies: readonly FixtureStudy[];
}

export interface SelectionFixture {
  readonly db: Db;
  readonly project: Project;
  /** Catalog id of a study by `PID#SID`. */
  studyId(ref: string): number;
  /** Catalog id of a study file by `PID#SID` and relative path. */
  fileId(ref: string, path: string): number;
}

/** The fixture project's root; nothing needs to exist there. */
export const FIXTURE_ROOT = '/data/cohort-fixture';

const STANDARD_FILES: readonly FixtureFile[] = [
  { path: 't1_mprage/s001.nii', size: 10, mtimeMs: 1_000, tags: ['t1'] },
  { path: 't2_tse/s001.nii', size: 20, mtimeMs: 2_000 },
];

/**
 * A small catalog: subjects with several studies (one absent study, one absent subject), tags on every
 * level, and file names with spaces, quotes, `%`, `_`, `*`, a backslash, unicode and `$(x)`.
 */
export const FIXTURE_SUBJECTS: readonly FixtureSubject[] = [
  {
    pid: 'P001',
    tags: ['control'],
    studies: [
      { sid: '20190101', tags: ['baseline'], description: 'MRT Kopf nativ', files: STANDARD_FILES },
      {
        sid: '20200101',
        tags: ['followup', 'qc_ok'],
        description: 'MRT Kopf KM',
        files: [
          { path: 't1_mprage/s001.nii', size: 100, mtimeMs: 3_000, tags: ['t1'] },
          { path: 't1_mprage/s002.nii', size: 300, mtimeMs: 1_000, tags: ['t1', 'best'] },
          { path: 't1_mprage/s003.nii', size: 200, mtimeMs: 2_000, tags: ['t1'], present: false },
          { path: 't1_tra/s001.nii', size: 150, mtimeMs: 5_000, tags: ['t1'] },
          { path: 't2_tse/a.nii', size: 50, mtimeMs: 4_000 },
          { path: 'notes/my file.txt' },
          { path: `notes/it's "quoted".txt` },
          { path: 'notes/100%.txt' },
          { path: 'notes/100x.txt' },
          { path: 'notes/a_b.txt' },
          { path: 'notes/axb.txt' },
          { path: 'notes/star*.txt' },
          { path: 'notes/starX.txt' },
          { path: 'notes/back\\slash.txt' },
          { path: 'notes/ünïcödé.nii', tags: ['unicode'] },
          { path: 'notes/$(x).txt' },
        ],
      },
      { sid: '20210315', tags: ['qc_ok'], files: STANDARD_FILES },
      // Absent (deleted on disk): must never count as LATEST nor be selected.
      { sid: '20220101', tags: ['qc_ok'], present: false, files: STANDARD_FILES },
    ],
  },
  {
    pid: 'P002',
    tags: ['patient'],
    studies: [
      {
        sid: '20200505',
        tags: ['baseline', 'qc_ok'],
        description: 'CT Schaedel',
        files: [{ path: 'T1_MPRAGE/S001.NII', size: 5, mtimeMs: 9_000, tags: ['t1'] }],
      },
      { sid: '20201111', files: STANDARD_FILES },
    ],
  },
  { pid: 'P003', present: false, studies: [{ sid: '20200101', files: STANDARD_FILES }] },
  {
    pid: '1201',
    tags: ['control', 'patient'],
    // Natural order: ses-10 is the latest although it sorts first as plain text.
    studies: [
      { sid: 'ses-2', files: STANDARD_FILES },
      { sid: 'ses-10', tags: ['qc_ok'], files: STANDARD_FILES },
    ],
  },
  { pid: '1202', studies: [{ sid: 'ses-1', files: STANDARD_FILES }] },
  { pid: 'Q_01', studies: [{ sid: 'a' }] },
  { pid: 'QX01', studies: [{ sid: 'b' }] },
];

/** Opens an in-memory catalog holding {@link FIXTURE_SUBJECTS} (or the given subjects). */
export function createSelectionFixture(
  subjects: readonly FixtureSubject[] = FIXTURE_SUBJECTS,
): SelectionFixture {
  const db = openDatabase(':memory:', { busyTimeoutMs: 1000 });
  const projectId = Number(
    db
      .prepare(`INSERT INTO projects (name, root, layout, created_at) VALUES ('fixture', ?, 'folders', 0)`)
      .run(FIXTURE_ROOT).lastInsertRowid,
  );
  const studies = new Map<string, number>();
  const files = new Map<string, number>();
  const insertSubject = db.prepare(
    'INSERT INTO subjects (project_id, pid, folder, present) VALUES (?, ?, ?, ?)',
  );
  const insertStudy = db.prepare(
    `INSERT INTO studies (project_id, subject_id, sid, folder, sort_key, description, present)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertFile = db.prepare(
    'INSERT INTO files (project_id, study_id, path, size, mtime_ms, present) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const tag = {
    subject: db.prepare('INSERT INTO subject_tags (subject_id, tag) VALUES (?, ?)'),
    study: db.prepare('INSERT INTO study_tags (study_id, tag) VALUES (?, ?)'),
    file: db.prepare('INSERT INTO file_tags (file_id, tag) VALUES (?, ?)'),
  };
  const flag = (present: boolean | undefined): number => (present === false ? 0 : 1);
  db.transaction(() => {
    for (const subject of subjects) {
      const subjectId = insertSubject.run(
        projectId,
        subject.pid,
        subject.pid,
        flag(subject.present),
      ).lastInsertRowid;
      for (const t of subject.tags ?? []) tag.subject.run(subjectId, t);
      for (const study of subject.studies) {
        const ref = `${subject.pid}#${study.sid}`;
        const folder = `${subject.pid}/${study.sid}`;
        const studyId = Number(
          insertStudy.run(
            projectId,
            subjectId,
            study.sid,
            folder,
            studySortKey(study.sid),
            study.description ?? '',
            flag(study.present),
          ).lastInsertRowid,
        );
        studies.set(ref, studyId);
        for (const t of study.tags ?? []) tag.study.run(studyId, t);
        for (const file of study.files ?? []) {
          const fileId = Number(
            insertFile.run(
              projectId,
              studyId,
              file.path,
              file.size ?? 1,
              file.mtimeMs ?? 0,
              flag(file.present),
            ).lastInsertRowid,
          );
          files.set(`${ref}/${file.path}`, fileId);
          for (const t of file.tags ?? []) tag.file.run(fileId, t);
        }
      }
    }
    // An analysis-folder file matching every pattern: selection must never return it.
    const analysisId = db
      .prepare(`INSERT INTO analyses (project_id, name, folder) VALUES (?, 'models', 'analysis/models')`)
      .run(projectId).lastInsertRowid;
    db.prepare(
      `INSERT INTO files (project_id, analysis_id, path, size, mtime_ms) VALUES (?, ?, 't1_mprage/s001.nii', 1, 0)`,
    ).run(projectId, analysisId);
  })();
  const project: Project = {
    id: projectId,
    name: 'fixture',
    root: FIXTURE_ROOT,
    layout: 'folders',
    analysisFolder: 'analysis',
  };
  return {
    db,
    project,
    studyId: (ref) => lookup(studies, ref),
    fileId: (ref, path) => lookup(files, `${ref}/${path}`),
  };
}

function lookup(map: ReadonlyMap<string, number>, key: string): number {
  const id = map.get(key);
  if (id === undefined) throw new Error(`No fixture item ${key}`);
  return id;
}
