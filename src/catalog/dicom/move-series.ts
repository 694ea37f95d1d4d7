import {
  constants,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import type { SeriesTarget } from './series-targets.js';

/** A series as written into the project. */
export interface ImportedSeries {
  readonly subject: string;
  readonly study: string;
  /** The series folder: `<series number>_<description>`, plus `_2`, `_3`... when that name was taken. */
  readonly series: string;
  /** `<subject>/<study>/<series>`, relative to the project root. */
  readonly folder: string;
  /** File names in the series folder (NIfTI, JSON sidecars, .bval/.bvec). */
  readonly files: readonly string[];
  /**
   * An older series folder of the same study holding the same SeriesInstanceUID: these DICOMs were
   * imported before. The new copy is still written (under a suffixed name), never over the old one.
   */
  readonly duplicateOf: string | undefined;
}

// A study with more same-named series than this is a runaway loop, not a real import.
const MAX_SUFFIX = 10_000;

/**
 * Moves one converted series into `<root>/<subject>/<study>/<series>`. The series folder is claimed with
 * a non-recursive mkdir, which fails when the name exists, so existing folders and files are never
 * touched: a taken name gets the next free suffix `_2`, `_3`... The files are renamed into the fresh
 * folder (copied when a subject folder is a link to another file system).
 */
export function moveSeries(root: string, target: SeriesTarget): ImportedSeries {
  const studyDir = join(root, target.subject, target.study);
  mkdirSync(studyDir, { recursive: true });
  let duplicateOf: string | undefined;
  let name = target.series;
  for (let n = 2; ; n++) {
    try {
      mkdirSync(join(studyDir, name));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n > MAX_SUFFIX) throw error;
    }
    if (duplicateOf === undefined && holdsSeries(join(studyDir, name), target.source.seriesInstanceUid)) {
      duplicateOf = name;
    }
    name = `${target.series}_${n}`;
  }
  const dest = join(studyDir, name);
  for (const file of target.source.files) moveFile(join(target.source.dir, file), join(dest, file));
  return {
    subject: target.subject,
    study: target.study,
    series: name,
    folder: `${target.subject}/${target.study}/${name}`,
    files: target.source.files,
    duplicateOf,
  };
}

function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    copyFileSync(from, to, constants.COPYFILE_EXCL);
    unlinkSync(from);
  }
}

/** Whether a series folder has a JSON sidecar with this SeriesInstanceUID. */
function holdsSeries(dir: string, uid: string | undefined): boolean {
  if (uid === undefined) return false;
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .some((f) => {
        const parsed = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { SeriesInstanceUID?: unknown };
        return parsed.SeriesInstanceUID === uid;
      });
  } catch {
    // An unreadable folder or sidecar is simply not known to be the same series.
    return false;
  }
}
