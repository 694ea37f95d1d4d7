import type { LayoutKind } from './layout.js';

/** The BIDS derivatives folder at the dataset root. */
export const DERIVATIVES = 'derivatives';

/** The pipeline name job outputs of a BIDS project are written under when their path names none. */
export const DEFAULT_PIPELINE = 'cohort';

/**
 * A study's derivative files are catalogued with the study under the path
 * `derivatives/<pipeline>/<path below the study's folder in that pipeline>`: the file
 * `derivatives/fmriprep/sub-01/ses-1/anat/x.nii.gz` of study `01#1` has the path
 * `derivatives/fmriprep/anat/x.nii.gz`. So patterns, tags and `current study` inputs work on derivatives
 * as on raw data, and the pipeline shows in the path. Null for paths that are not such (and always in a
 * `folders` project, where `derivatives` is an ordinary folder name).
 */
export function derivativeOf(
  layout: LayoutKind,
  path: string,
): { readonly pipeline: string; readonly rest: string } | null {
  if (layout !== 'bids' || !path.startsWith(`${DERIVATIVES}/`)) return null;
  const slash = path.indexOf('/', DERIVATIVES.length + 1);
  if (slash < 0) return null;
  const pipeline = path.slice(DERIVATIVES.length + 1, slash);
  const rest = path.slice(slash + 1);
  return pipeline === '' || rest === '' ? null : { pipeline, rest };
}

/**
 * The path relative to the project root of a study file: `<study folder>/<path>`, or for a derivative
 * `derivatives/<pipeline>/<study folder>/<rest>`. `studyFolder` is relative to the root ('' never occurs
 * for studies).
 */
export function studyFileRel(layout: LayoutKind, studyFolder: string, path: string): string {
  const derivative = derivativeOf(layout, path);
  if (derivative === null) return `${studyFolder}/${path}`;
  return `${DERIVATIVES}/${derivative.pipeline}/${studyFolder}/${derivative.rest}`;
}

/**
 * The dataset a study file belongs to (the project root, or a pipeline's folder for derivatives) and
 * the file's path inside it: what BIDS inheritance walks.
 */
export function datasetOf(
  layout: LayoutKind,
  studyFolder: string,
  path: string,
): { readonly dataset: string; readonly rel: string } {
  const derivative = derivativeOf(layout, path);
  if (derivative === null) return { dataset: '', rel: `${studyFolder}/${path}` };
  return {
    dataset: `${DERIVATIVES}/${derivative.pipeline}`,
    rel: `${studyFolder}/${derivative.rest}`,
  };
}
