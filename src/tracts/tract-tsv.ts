import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { TractProfile } from './tract-profile.js';
import type { TractStats } from './tract-stats.js';

/** Columns of the cohort-wide tractometry table: one row per value, so per-item files just concatenate. */
export const TRACT_TSV_COLUMNS = ['subject', 'study', 'bundle', 'measure', 'node', 'value'] as const;

/** Who a row belongs to. */
export interface TractRowIds {
  readonly subject: string;
  readonly study: string;
  readonly bundle: string;
}

export interface TractRow extends TractRowIds {
  readonly measure: string;
  /** Node index for profiles; empty for whole-bundle measures. */
  readonly node: number | '';
  readonly value: number;
}

/** Splits `SUBJECT#STUDY` (as `COHORT_STUDY` holds it inside a job); a bare id is a subject. */
export function rowIds(item: string | undefined, bundle: string): TractRowIds {
  const [subject = '', study = ''] = (item ?? '').split('#');
  return { subject, study, bundle };
}

/** A bundle's name from its file: `AF_L.tck` gives `AF_L`. */
export function bundleName(path: string): string {
  return basename(path).replace(/\.(tck|trk|trx)$/i, '');
}

/** A measure's name from a scalar image's file: `sub-01_FA.nii.gz` gives `sub-01_FA`. */
export function measureName(path: string): string {
  return basename(path).replace(/\.nii(\.gz)?$/i, '');
}

/** Rows of a statistics result. */
export function statsRows(stats: TractStats, ids: TractRowIds, measure = 'scalar'): TractRow[] {
  const l = stats.lengths;
  const rows: TractRow[] = [
    { ...ids, measure: 'count', node: '', value: l.count },
    { ...ids, measure: 'length_mean', node: '', value: l.mean },
    { ...ids, measure: 'length_median', node: '', value: l.median },
    { ...ids, measure: 'length_std', node: '', value: l.std },
    { ...ids, measure: 'length_min', node: '', value: l.min },
    { ...ids, measure: 'length_max', node: '', value: l.max },
  ];
  if (stats.scalar !== undefined)
    rows.push({ ...ids, measure: `${measure}_mean`, node: '', value: stats.scalar.mean });
  return rows;
}

/** Rows of a profile: one per node. */
export function profileRows(profile: TractProfile, ids: TractRowIds, measure: string): TractRow[] {
  return [...profile.values].map((value, node) => ({ ...ids, measure, node, value }));
}

/** TSV text with a header line; values with full precision, NaN as `NA`. Tabs and newlines in ids become spaces. */
export function formatTractTsv(rows: readonly TractRow[]): string {
  const clean = (text: string): string => text.replace(/[\t\r\n]/g, ' ');
  const lines = [TRACT_TSV_COLUMNS.join('\t')];
  for (const r of rows) {
    const value = Number.isFinite(r.value) ? String(r.value) : 'NA';
    lines.push(
      [clean(r.subject), clean(r.study), clean(r.bundle), clean(r.measure), String(r.node), value].join('\t'),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Writes the rows as TSV, creating the folder. */
export function writeTractTsv(path: string, rows: readonly TractRow[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, formatTractTsv(rows));
}
