import { existsSync, lstatSync, readdirSync, realpathSync } from 'node:fs';
import type { Db } from '../../db/open-database.js';
import { makeLayout } from '../layout/make-layout.js';
import { diffContainer, type KnownFile } from './diff-container.js';
import { knownSubjectReader } from './known-subject.js';
import { DERIVATIVES } from '../layout/derivatives.js';
import { readSessionTimes, sessionSortKey } from '../layout/session-times.js';
import { SUBJECT_LEVEL_SID } from '../layout/subject-level.js';
import { mergeScans, scanFolder, type FolderScan } from './scan-folder.js';
import type { ContainerChanges, ScanJob, ScanWarning, SubjectScan } from './scan-types.js';

/** Where a scan delivers its results. */
export interface ScanSink {
  subject(scan: SubjectScan): void;
  analysis(changes: ContainerChanges): void;
  warn(warnings: readonly ScanWarning[]): void;
}

/**
 * The body of a scan thread: walks the given subject and analysis folders, compares each study with the
 * catalog and hands one result per subject to the sink. Runs the same in a worker thread or in-process.
 */
export function scanSubjects(job: ScanJob, db: Db, sink: ScanSink): void {
  const layout = makeLayout(job.layout, job.analysisFolder);
  const analysisFiles = db
    .prepare(
      `SELECT f.path, f.size, f.mtime_ms, f.present FROM files f JOIN analyses a ON a.id = f.analysis_id
       WHERE a.project_id = ? AND a.folder = ?`,
    )
    .raw();
  const knownSubject = knownSubjectReader(db);

  for (const folder of job.subjectFolders) {
    const pid = layout.subjectOf(folder);
    if (pid === null) continue;
    const warnings: ScanWarning[] = [];
    let subfolders: string[];
    let listed = true;
    if (!staysInRoot(job.root, folder, warnings)) {
      sink.warn(warnings);
      continue;
    }
    try {
      subfolders = readdirSync(`${job.root}/${folder}`, { withFileTypes: true })
        .filter((e) => e.isDirectory() || e.isSymbolicLink())
        .map((e) => e.name);
    } catch (error) {
      warnings.push({
        path: folder,
        problem: 'unreadable',
        detail: (error as { code?: string }).code ?? String(error),
      });
      subfolders = [];
      listed = false;
    }
    const known = knownSubject(job.projectId, folder);
    const studies: ContainerChanges[] = [];
    const locations = listed ? layout.studiesOf(subfolders) : [];
    const bids = job.layout === 'bids';
    const times = bids ? readSessionTimes(`${job.root}/${folder}`, folder) : new Map<string, string>();
    for (const study of locations) {
      const rel = study.folder === '' ? folder : `${folder}/${study.folder}`;
      if (!staysInRoot(job.root, rel, warnings)) continue;
      const scan = mergeScans([
        scanFolder(`${job.root}/${rel}`, job.root, rel),
        ...derivativeScans(job, rel),
      ]);
      warnings.push(...scan.warnings);
      const files = known.filesByFolder.get(rel) ?? [];
      const changes = diffContainer('study', study.sid, rel, scan, files, layout);
      studies.push(bids ? { ...changes, sortKey: sessionSortKey(study.sid, times) } : changes);
    }
    if (bids && locations.some((s) => s.folder !== '')) {
      // Sessions: the files beside them (sessions.tsv, scans.tsv...) go into the subject's own container.
      const sessions = new Set(locations.map((s) => s.folder));
      const scan = mergeScans([
        scanFolder(`${job.root}/${folder}`, job.root, folder, { skipTop: (n) => sessions.has(n) }),
        ...derivativeScans(job, folder, (n) => n.startsWith('ses-')),
      ]);
      warnings.push(...scan.warnings);
      const files = known.filesByFolder.get(folder) ?? [];
      studies.push({
        ...diffContainer('study', SUBJECT_LEVEL_SID, folder, scan, files, layout),
        subjectLevel: true,
      });
    }
    const seen = new Set(studies.map((s) => s.name));
    const goneStudies = listed ? [...known.presentStudies.keys()].filter((sid) => !seen.has(sid)) : [];
    const unchanged =
      known.present &&
      goneStudies.length === 0 &&
      studies.every(
        (s) =>
          known.presentStudies.get(s.name) === s.folder &&
          (s.sortKey === undefined || known.sortKeys.get(s.name) === s.sortKey) &&
          s.upserts.length === 0 &&
          s.removed.length === 0,
      );
    sink.warn(warnings);
    sink.subject({ pid, folder, studies, goneStudies, unchanged });
  }

  for (const name of job.analysisNames) {
    const rel = `${job.analysisFolder}/${name}`;
    // In a BIDS pipeline folder, sub-* folders belong to the studies; the rest (group results) is the analysis's.
    const skipTop = job.layout === 'bids' ? (n: string) => n.startsWith('sub-') : undefined;
    const scan = scanFolder(`${job.root}/${rel}`, job.root, rel, skipTop === undefined ? {} : { skipTop });
    const known = analysisFiles.all(job.projectId, rel) as KnownFile[];
    sink.warn(scan.warnings);
    sink.analysis(diffContainer('analysis', name, rel, scan, known, layout));
  }
}

/** The scans of a study's folders in each BIDS pipeline (`derivatives/<pipeline>/<study folder>`). */
function derivativeScans(job: ScanJob, rel: string, skipTop?: (name: string) => boolean): FolderScan[] {
  return job.pipelines.flatMap((pipeline) => {
    const folder = `${DERIVATIVES}/${pipeline}`;
    if (!existsSync(`${job.root}/${folder}/${rel}`)) return [];
    const options = skipTop === undefined ? { prefix: folder } : { prefix: folder, skipTop };
    return [scanFolder(`${job.root}/${folder}/${rel}`, job.root, `${folder}/${rel}`, options)];
  });
}

/**
 * Subject and study folders may be symbolic links (data moved to another disk is often linked back);
 * they are followed only while they resolve inside the project root.
 */
function staysInRoot(root: string, rel: string, warnings: ScanWarning[]): boolean {
  const abs = `${root}/${rel}`;
  try {
    if (!lstatSync(abs).isSymbolicLink()) return true;
    const target = realpathSync(abs);
    if (target.startsWith(`${root}/`)) return true;
    warnings.push({
      path: rel,
      problem: 'symlink-outside-root',
      detail: `points to ${target}, outside the project root; not followed`,
    });
  } catch (error) {
    warnings.push({
      path: rel,
      problem: 'broken-symlink',
      detail: (error as { code?: string }).code ?? String(error),
    });
  }
  return false;
}
