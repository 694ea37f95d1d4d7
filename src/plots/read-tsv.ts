import { readFileSync } from 'node:fs';
import { CohortError, invalidInput } from '../errors/cohort-error.js';

/** A tab-separated table with a header row: one record per line, keyed by the header's names. */
export function readTsv(path: string, required: readonly string[]): Record<string, string>[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CohortError('FILESYSTEM', `Cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const [head = '', ...lines] = text.split(/\r?\n/).filter((l) => l !== '');
  const names = head.split('\t');
  const missing = required.filter((r) => !names.includes(r));
  if (missing.length > 0) {
    throw invalidInput(
      `${path} lacks the column(s) ${missing.join(', ')}.`,
      `A tract profile table has the columns ${required.join(', ')} (cohort tracts profile writes them).`,
    );
  }
  return lines.map((line) => {
    const cells = line.split('\t');
    return Object.fromEntries(names.map((n, i) => [n, cells[i] ?? '']));
  });
}
