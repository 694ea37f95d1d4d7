/** Pure data shaping for the plots page (no DOM): TSV export and profile summaries. */

type Cell = string | number | null | undefined;

/**
 * Rows as a TSV table: the first row's keys are the header, in order. Tabs and line breaks inside a
 * cell become spaces so every value stays in its column; null and undefined are empty cells.
 */
export function toTsv(objects: readonly object[]): string {
  const rows = objects as readonly Readonly<Record<string, Cell>>[];
  const first = rows[0];
  if (first === undefined) return '';
  const columns = Object.keys(first);
  const cell = (v: Cell): string =>
    v === null || v === undefined ? '' : String(v).replace(/[\t\r\n]+/g, ' ');
  return (
    [columns.join('\t'), ...rows.map((r) => columns.map((c) => cell(r[c])).join('\t'))].join('\n') + '\n'
  );
}

/** One node of one group's profile: the mean over studies and the sample standard deviation (n - 1). */
export interface ProfileSummary {
  readonly bundle: string;
  readonly measure: string;
  readonly group: string;
  readonly node: number;
  readonly n: number;
  readonly mean: number;
  readonly sd: number;
  readonly low: number;
  readonly high: number;
}

/**
 * Mean and spread per bundle, measure, group and node, as the profile plot draws them (a line at the
 * mean, a band of one standard deviation either side; sd 0 for a single study). Sorted by bundle,
 * measure, group, node.
 */
export function summariseProfiles(
  points: readonly { bundle: string; measure: string; group: string; node: number; value: number }[],
): ProfileSummary[] {
  const sums = new Map<string, { key: [string, string, string, number]; values: number[] }>();
  for (const p of points) {
    const id = JSON.stringify([p.bundle, p.measure, p.group, p.node]);
    let entry = sums.get(id);
    if (entry === undefined) {
      entry = { key: [p.bundle, p.measure, p.group, p.node], values: [] };
      sums.set(id, entry);
    }
    entry.values.push(p.value);
  }
  const out = [...sums.values()].map(({ key: [bundle, measure, group, node], values }) => {
    const n = values.length;
    const mean = values.reduce((a, b) => a + b, 0) / n;
    const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
    return { bundle, measure, group, node, n, mean, sd, low: mean - sd, high: mean + sd };
  });
  return out.sort(
    (a, b) =>
      a.bundle.localeCompare(b.bundle) ||
      a.measure.localeCompare(b.measure) ||
      a.group.localeCompare(b.group) ||
      a.node - b.node,
  );
}
