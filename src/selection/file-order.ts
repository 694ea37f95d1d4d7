import type { FileSort, FileSortKey } from './selector.js';
import type { SqlFragment } from './sql-fragment.js';

/**
 * A file's name without folders, in SQL, from its relative path column. SQLite has no basename():
 * rtrim() strips the trailing run of non-slash characters, leaving the folder part, whose length is
 * where the name starts.
 */
export const nameSql = (path: string): string =>
  `substr(${path}, length(rtrim(${path}, replace(${path}, '/', ''))) + 1)`;

// Fixed SQL per key, over the `files f` alias.
const SORT_EXPRESSIONS: Readonly<Record<FileSortKey, string>> = {
  path: 'f.path',
  name: nameSql('f.path'),
  size: 'f.size',
  mtime: 'f.mtime_ms',
};

/** ORDER BY terms for files (`files f`); ties are broken by path, which is unique within a study. */
export function fileOrder(sort: FileSort): SqlFragment {
  const main = `${SORT_EXPRESSIONS[sort.key]}${sort.descending ? ' DESC' : ''}`;
  return { text: sort.key === 'path' ? main : `${main}, f.path`, params: [] };
}
