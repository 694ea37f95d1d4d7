/** The default keys: `1` marks a study good, `2` bad; `0` clears both. */
export const DEFAULT_QC_KEYS = '1=qc_ok 2=qc_bad';
/** The key that removes every QC tag of the mapping from the focused study. */
export const CLEAR_KEY = '0';

/** Key -> tag, in the order written. */
export type QcKeyMap = ReadonlyMap<string, string>;

/**
 * Parses `KEY=TAG` pairs separated by spaces (`1=qc_ok 2=qc_bad x=motion`). A key is one printable
 * character other than the clear key `0` and the keys that move (arrows are not characters anyway).
 * @throws Error naming the bad pair and the expected form.
 */
export function parseQcKeys(text: string): QcKeyMap {
  const map = new Map<string, string>();
  for (const pair of text
    .trim()
    .split(/\s+/)
    .filter((p) => p !== '')) {
    const match = /^(.)=([A-Za-z0-9_.:-]+)$/u.exec(pair);
    if (match === null) throw new Error(`'${pair}' is not KEY=TAG (e.g. 1=qc_ok).`);
    const [, key = '', tag = ''] = match;
    if (key === CLEAR_KEY)
      throw new Error(`'${CLEAR_KEY}' clears the QC tags; choose another key for ${tag}.`);
    if (map.has(key)) throw new Error(`Key '${key}' is given twice.`);
    map.set(key, tag);
  }
  if (map.size === 0) throw new Error('Give at least one KEY=TAG pair, e.g. 1=qc_ok 2=qc_bad.');
  return map;
}

/** Patterns typed as `a | b`: tried in order on the server. */
export function splitPatterns(text: string): string[] {
  return text
    .split('|')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** The index the focus moves to for a key, in a grid of `count` cards laid out `columns` wide; null for other keys. */
export function moveFocus(key: string, index: number, count: number, columns: number): number | null {
  const last = count - 1;
  const step: Record<string, number> = {
    ArrowRight: 1,
    ArrowLeft: -1,
    ArrowDown: columns,
    ArrowUp: -columns,
    PageDown: columns * 4,
    PageUp: -columns * 4,
  };
  if (key === 'Home') return 0;
  if (key === 'End') return last;
  const delta = step[key];
  if (delta === undefined || count === 0) return null;
  return Math.min(last, Math.max(0, index + delta));
}
