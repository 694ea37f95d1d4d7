import { invalidInput } from '../../errors/cohort-error.js';
import type { ConvertedSeries } from './list-converted-series.js';
import { safeFolderName } from './safe-folder-name.js';

/** Where one converted series goes: `<root>/<subject>/<study>/<series>` (series may get a suffix). */
export interface SeriesTarget {
  readonly source: ConvertedSeries;
  readonly subject: string;
  readonly study: string;
  /** The series folder name before any `_2`, `_3` suffix for names already taken. */
  readonly series: string;
}

export interface IdOverrides {
  readonly subject?: string | undefined;
  readonly study?: string | undefined;
}

/**
 * Checks user-given ids before anything runs: they are sanitized like DICOM values (see
 * {@link safeFolderName}) and must keep at least one usable character.
 */
export function checkOverrides(overrides: IdOverrides, analysisFolder: string): void {
  for (const [what, value] of [
    ['subject', overrides.subject],
    ['study', overrides.study],
  ] as const) {
    if (value !== undefined && safeFolderName(value) === '') {
      throw invalidInput(
        `The ${what} id '${value}' has no usable characters.`,
        'Use letters, digits, dot, dash or underscore (any script), e.g. --subject P001.',
      );
    }
  }
  if (overrides.subject !== undefined && safeFolderName(overrides.subject) === analysisFolder) {
    throw invalidInput(
      `The subject id '${overrides.subject}' is the project's analysis folder.`,
      'Choose another subject id.',
    );
  }
}

/**
 * Decides subject, study and series folder names for every converted series, before anything moves,
 * so a series without ids fails the import as a whole instead of leaving half of it in place.
 * Overrides apply to every series (several DICOM patients or studies are then merged into one).
 */
export function seriesTargets(
  series: readonly ConvertedSeries[],
  overrides: IdOverrides,
  analysisFolder: string,
  sourceDir: string,
): SeriesTarget[] {
  const targets = series.map((s) => ({
    source: s,
    subject: safeFolderName(overrides.subject ?? s.patientId),
    study: safeFolderName(overrides.study ?? s.studyTime),
    series: safeFolderName(s.seriesName) || 'series',
  }));
  const noSubject = targets.filter((t) => t.subject === '');
  if (noSubject.length > 0) {
    throw invalidInput(
      `${noSubject.length} of ${targets.length} series in ${sourceDir} have no PatientID ` +
        `(e.g. series ${noSubject[0]?.series}), so there is no subject id to file them under.`,
      'Give the subject id with --subject ID (it then applies to every series of this import); nothing was written.',
      { sourceDir, series: noSubject.map((t) => t.series) },
    );
  }
  const noStudy = targets.filter((t) => t.study === '');
  if (noStudy.length > 0) {
    throw invalidInput(
      `${noStudy.length} of ${targets.length} series in ${sourceDir} have no study date and time ` +
        `(e.g. series ${noStudy[0]?.series}), so there is no study id to file them under.`,
      'Give the study id with --study ID (e.g. the scan date, 20240131); nothing was written.',
      { sourceDir, series: noStudy.map((t) => t.series) },
    );
  }
  const clash = targets.find((t) => t.subject === analysisFolder);
  if (clash !== undefined) {
    throw invalidInput(
      `The PatientID '${clash.source.patientId}' would file the series into the project's analysis folder.`,
      'Give another subject id with --subject ID; nothing was written.',
    );
  }
  return targets;
}
