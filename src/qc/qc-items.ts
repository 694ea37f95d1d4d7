import { relative, sep } from 'node:path';
import { matchFiles, type FileRequest } from '../batches/match-files.js';
import type { Project } from '../catalog/project-store.js';
import { tagsOf } from '../catalog/tags.js';
import type { Db } from '../db/open-database.js';
import { invalidInput } from '../errors/cohort-error.js';
import type { StudyRef } from '../selection/selection.js';

/** One study of a QC mosaic: the image to show (and its overlay), paths relative to the project root. */
export interface QcItem {
  readonly studyId: number;
  readonly pid: string;
  readonly sid: string;
  /** `PID#SID`. */
  readonly ref: string;
  readonly tags: readonly string[];
  /** The image, or null when no pattern matched in this study (shown as a gap, never skipped silently). */
  readonly image: string | null;
  /** The overlay, or null (none asked for, or none found). */
  readonly overlay: string | null;
}

/** What a mosaic shows: file patterns tried in order (scanners name series differently), an optional overlay. */
export interface QcPatterns {
  readonly image: readonly string[];
  readonly overlay?: readonly string[];
}

/**
 * The image (and overlay) of each study: the first pattern, in the order given, that matches a present
 * file; within one pattern the first path in order. One statement per pattern, whatever the number of
 * studies. Studies keep their order (by subject, then chronologically).
 * @example qcItems(db, project, runFilter(db, project, parseFilter('STAG:baseline')), { image: ['t1*.nii*'] })
 */
export function qcItems(
  db: Db,
  project: Project,
  studies: readonly StudyRef[],
  patterns: QcPatterns,
): QcItem[] {
  if (patterns.image.length === 0 || patterns.image.some((p) => p.trim() === '')) {
    throw invalidInput(
      'A QC mosaic needs a file pattern.',
      "Give one, e.g. 't1*/*.nii*' (several are tried in order).",
    );
  }
  const tags = tagsOf(
    db,
    'study',
    studies.map((s) => s.studyId),
  );
  const image = firstMatches(db, project, studies, patterns.image);
  const overlay =
    patterns.overlay === undefined || patterns.overlay.length === 0
      ? undefined
      : firstMatches(db, project, studies, patterns.overlay);
  return studies.map((study) => ({
    studyId: study.studyId,
    pid: study.pid,
    sid: study.sid,
    ref: study.ref,
    tags: tags.get(study.studyId) ?? [],
    image: image(study),
    overlay: overlay?.(study) ?? null,
  }));
}

function firstMatches(
  db: Db,
  project: Project,
  studies: readonly StudyRef[],
  patterns: readonly string[],
): (study: StudyRef) => string | null {
  const requests = (pattern: string): FileRequest[] =>
    studies.map((study) => ({
      patterns: [pattern],
      target: { kind: 'study', study, label: study.ref, folder: study.folder },
    }));
  const perPattern = patterns.map((pattern) => {
    const all = requests(pattern);
    return {
      matches: matchFiles(db, project, all),
      requests: new Map(all.map((r, i) => [studies[i]?.studyId, r])),
    };
  });
  return (study) => {
    for (const { matches, requests: byStudy } of perPattern) {
      const request = byStudy.get(study.studyId);
      const found = request === undefined ? undefined : matches.get(request)[0];
      if (found !== undefined) return relative(project.root, `${study.folder}/${found}`).split(sep).join('/');
    }
    return null;
  };
}
