import { derivativeOf } from './derivatives.js';

/**
 * Parses BIDS file naming: `sub-01_ses-02_task-rest_run-1_bold.nii.gz` becomes
 * `{ sub: '01', ses: '02', task: 'rest', run: '1', suffix: 'bold', extension: '.nii.gz' }`, plus the
 * `datatype` (anat, func, dwi...) when the file lies in a datatype folder.
 *
 * A file inside a folder-shaped recording (a CTF `sub-01_task-x_meg.ds/`) takes the entities of that
 * folder: its datatype is the folder above it (`meg`), not the `.ds` folder's name. A derivative
 * (`derivatives/<pipeline>/...`, as catalogued with its study) gets a `pipeline` entity.
 * Returns null for names that are not BIDS-shaped (no `sub-` entity first).
 */
export function parseBidsEntities(path: string): Record<string, string> | null {
  const derivative = derivativeOf('bids', path);
  if (derivative !== null) {
    const entities = parseBidsEntities(derivative.rest);
    return entities === null ? null : { ...entities, pipeline: derivative.pipeline };
  }
  const parts = path.split('/');
  // The outermost `sub-*.<ext>` folder is the recording (CTF .ds, BrainVision-like folders).
  const recording = parts.findIndex(
    (p, i) => i < parts.length - 1 && p.startsWith('sub-') && p.includes('.'),
  );
  const at = recording >= 0 ? recording : parts.length - 1;
  const name = parts[at] ?? '';
  const datatype = at > 0 ? parts[at - 1] : undefined;
  if (!name.startsWith('sub-')) return null;
  const dot = name.indexOf('.');
  const stem = dot < 0 ? name : name.slice(0, dot);
  const pieces = stem.split('_');
  const entities: Record<string, string> = {};
  const last = pieces[pieces.length - 1] ?? '';
  const hasSuffix = !last.includes('-');
  for (const part of hasSuffix ? pieces.slice(0, -1) : pieces) {
    const dash = part.indexOf('-');
    if (dash <= 0) return null;
    entities[part.slice(0, dash)] = part.slice(dash + 1);
  }
  if (hasSuffix) entities.suffix = last;
  if (dot >= 0) entities.extension = name.slice(dot);
  if (datatype !== undefined && datatype !== '') entities.datatype = datatype;
  return entities;
}
