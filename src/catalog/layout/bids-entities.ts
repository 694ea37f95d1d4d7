/**
 * Parses BIDS file naming: `sub-01_ses-02_task-rest_run-1_bold.nii.gz` becomes
 * `{ sub: '01', ses: '02', task: 'rest', run: '1', suffix: 'bold', extension: '.nii.gz' }`, plus the
 * `datatype` (anat, func, dwi...) when the file lies in a datatype folder.
 * Returns null for names that are not BIDS-shaped (no `sub-` entity first).
 */
export function parseBidsEntities(path: string): Record<string, string> | null {
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  const dir = slash < 0 ? '' : path.slice(0, slash);
  if (!name.startsWith('sub-')) return null;
  const dot = name.indexOf('.');
  const stem = dot < 0 ? name : name.slice(0, dot);
  const parts = stem.split('_');
  const entities: Record<string, string> = {};
  const last = parts[parts.length - 1] ?? '';
  const hasSuffix = !last.includes('-');
  for (const part of hasSuffix ? parts.slice(0, -1) : parts) {
    const dash = part.indexOf('-');
    if (dash <= 0) return null;
    entities[part.slice(0, dash)] = part.slice(dash + 1);
  }
  if (hasSuffix) entities.suffix = last;
  if (dot >= 0) entities.extension = name.slice(dot);
  const datatype = dir.split('/').pop();
  if (datatype !== undefined && datatype !== '') entities.datatype = datatype;
  return entities;
}
