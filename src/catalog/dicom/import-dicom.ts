import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Catalog } from '../catalog.js';
import type { IndexCounts } from '../indexer/catalog-writer.js';
import { indexProject } from '../indexer/index-project.js';
import type { Project } from '../project-store.js';
import { CohortError, invalidInput, notFound } from '../../errors/cohort-error.js';
import { describeStudies, type StudyDescriptions } from './describe-studies.js';
import { listConvertedSeries } from './list-converted-series.js';
import { moveSeries, type ImportedSeries } from './move-series.js';
import { runDcm2niix } from './run-dcm2niix.js';
import { checkOverrides, seriesTargets, type SeriesTarget } from './series-targets.js';

export type { ImportedSeries } from './move-series.js';

export interface DicomImportOptions {
  /** Subject id for every series, instead of the DICOM PatientID. Required when the DICOMs have none. */
  readonly subject?: string | undefined;
  /** Study id for every series, instead of the DICOM study date and time (`20100114121314`). */
  readonly study?: string | undefined;
  /** The dcm2niix executable. Default `dcm2niix`, looked up on the PATH. */
  readonly dcm2niixPath?: string | undefined;
  /** Stops dcm2niix (and the import) when aborted; once files are moving, the import completes. */
  readonly signal?: AbortSignal | undefined;
  /** Called as the import goes: dcm2niix's files converted, series placed, then the index's counts. */
  readonly onProgress?: ((progress: DicomImportProgress) => void) | undefined;
}

/** Where an import is: converting (DICOM files found and converted), placing series, indexing. */
export type DicomImportProgress =
  | { readonly phase: 'converting'; readonly found: number; readonly converted: number }
  | { readonly phase: 'placing'; readonly placed: number; readonly series: number }
  | { readonly phase: 'indexing'; readonly counts: Readonly<IndexCounts> };

export interface DicomImportResult {
  readonly project: string;
  /** Every series written, in the order dcm2niix's output sorts. */
  readonly series: readonly ImportedSeries[];
  /** Series that could not be moved into the project (the rest of the import went on). */
  readonly failed: ReadonlyArray<{ readonly folder: string; readonly reason: string }>;
  /** dcm2niix's warnings, notes on re-imported series and on unexpected output. */
  readonly warnings: readonly string[];
  /** Counts of the index of the touched subjects. */
  readonly index: IndexCounts;
}

/** Prefix of the conversion folder in the project root; the leading dot keeps it out of the catalog. */
export const IMPORT_TEMP_PREFIX = '.cohort-import-';

/**
 * Converts a folder of DICOM files with dcm2niix into gzipped NIfTI + JSON sidecars (+ .bval/.bvec)
 * and files them into a `folders` project as `<root>/<subject>/<study>/<series>/<files>`:
 * subject = PatientID, study = study date+time (`20100114121314`), series = `<number>_<description>`
 * (e.g. `1234/20100114121314/12_CBU_DTI_64D_1A/12_CBU_DTI_64D_1A.nii.gz`), all made safe folder names.
 * Existing files are never overwritten: a taken series folder name gets a suffix `_2`, `_3`..., and a
 * re-imported series (same SeriesInstanceUID) is reported in `duplicateOf` and the warnings. The touched
 * subjects are then indexed, and the study descriptions set (see {@link describeStudies}).
 *
 * dcm2niix writes into a hidden folder in the project root (same file system, so placing the results
 * is a rename), which is removed afterwards, also on failure.
 *
 * @example await importDicom(catalog, project, '/incoming/scan 42', { subject: 'P042' })
 */
export async function importDicom(
  catalog: Catalog,
  project: Project,
  sourceDir: string,
  options: DicomImportOptions = {},
): Promise<DicomImportResult> {
  const source = checkDicomImport(project, sourceDir, options);
  options.signal?.throwIfAborted();
  const { onProgress } = options;

  const temp = makeTempFolder(project.root);
  const series: ImportedSeries[] = [];
  const descriptions: StudyDescriptions[] = [];
  const failed: Array<{ folder: string; reason: string }> = [];
  const warnings: string[] = [];
  try {
    const run = await runDcm2niix({
      binary: options.dcm2niixPath ?? 'dcm2niix',
      sourceDir: source,
      outputDir: temp,
      signal: options.signal,
      onProgress: onProgress && ((p) => onProgress({ phase: 'converting', ...p })),
    });
    warnings.push(...run.warnings);
    const converted = listConvertedSeries(temp);
    warnings.push(...converted.problems.map((p) => `Unexpected dcm2niix output left out: ${p}`));
    if (converted.series.length === 0) {
      throw new CohortError(
        'TOOL_FAILED',
        `dcm2niix wrote no images for ${source}:\n${run.tail.join('\n')}`,
        {
          hint: 'Check that the folder holds DICOM image files (not only reports or DICOMDIR indexes).',
          context: { sourceDir: source },
        },
      );
    }
    const targets = seriesTargets(converted.series, options, project.analysisFolder, source);
    // The last point to stop cleanly: past it, a half-moved import would be worse than a finished one.
    options.signal?.throwIfAborted();
    for (const target of targets) {
      onProgress?.({ phase: 'placing', placed: series.length + failed.length, series: targets.length });
      try {
        const written = moveSeries(project.root, target);
        series.push(written);
        const { studyDescription, seriesDescription } = target.source;
        descriptions.push({
          subject: written.subject,
          study: written.study,
          studyDescription,
          seriesDescription,
        });
        if (written.duplicateOf !== undefined) {
          warnings.push(
            `${written.subject}#${written.study}: series ${written.duplicateOf} was imported before ` +
              `(same SeriesInstanceUID); this copy is in ${written.series}.`,
          );
        }
      } catch (error) {
        failed.push({
          folder: folderOf(target),
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }

  // Not given the signal: the files are in place, and the catalog should show them.
  const subjects = [...new Set(series.map((s) => s.subject))];
  const indexed = await indexProject(catalog, project, {
    subjectFolders: subjects,
    ...(onProgress === undefined
      ? {}
      : { onProgress: (counts) => onProgress({ phase: 'indexing', counts }) }),
  });
  describeStudies(catalog.db, project.id, descriptions);
  return { project: project.name, series, failed, warnings, index: indexed.counts };
}

/**
 * The checks an import makes before it starts (the web app makes them before it answers): the project
 * uses the folders layout, the source is an existing folder, and subject and study overrides make
 * folder names. Returns the source as an absolute path.
 */
export function checkDicomImport(
  project: Project,
  sourceDir: string,
  overrides: Pick<DicomImportOptions, 'subject' | 'study'> = {},
): string {
  const source = resolve(sourceDir);
  checkSource(project, source);
  checkOverrides(overrides, project.analysisFolder);
  return source;
}

function checkSource(project: Project, source: string): void {
  if (project.layout !== 'folders') {
    throw invalidInput(
      `Project '${project.name}' uses the ${project.layout} layout; the DICOM import writes the folders layout ` +
        '(<subject>/<study>/<series>/<file>).',
      'Import into a project created with the folders layout, or convert to BIDS with a BIDS tool.',
    );
  }
  let isFolder: boolean;
  try {
    isFolder = statSync(source).isDirectory();
  } catch (error) {
    throw notFound(
      `The DICOM folder ${source} does not exist.`,
      'Give the path of a folder holding DICOM files.',
      {
        sourceDir: source,
        cause: String(error),
      },
    );
  }
  if (!isFolder) {
    throw invalidInput(
      `${source} is a file; the import takes a folder.`,
      'Give the folder holding the DICOM files.',
    );
  }
}

function makeTempFolder(root: string): string {
  try {
    return mkdtempSync(join(root, IMPORT_TEMP_PREFIX));
  } catch (error) {
    throw new CohortError('FILESYSTEM', `Cannot create a conversion folder in the project root ${root}.`, {
      hint: 'The import converts inside the project root: check that this user may write there.',
      cause: error,
    });
  }
}

function folderOf(target: SeriesTarget): string {
  return `${target.subject}/${target.study}/${target.series}`;
}
