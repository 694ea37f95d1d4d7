/**
 * Formats rows as aligned text columns. Control characters in values are shown escaped so a file name
 * with a newline or an escape sequence cannot forge output lines or recolour the terminal.
 */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const safe = rows.map((r) => r.map(visible));
  const widths = headers.map((h, i) => Math.max(h.length, ...safe.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...safe.map(line)].join('\n');
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_ALL = /[\u0000-\u001f\u007f]/g;

/** Escapes control characters (newlines, ESC...) for one-line display. */
export function visible(text: string): string {
  // A test first: almost no path has a control character, and replace() costs more per line
  // (cohort select prints 200,000 of them).
  if (!CONTROL.test(text)) return text;
  return text.replace(CONTROL_ALL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
