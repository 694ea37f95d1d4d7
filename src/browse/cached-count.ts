import type { Db } from '../db/open-database.js';
import type { SqlFragment } from '../selection/sql-fragment.js';
import type { PageRequest } from './browse-types.js';

/** Counts kept per connection; a busy server sees a few dozen filters between two changes. */
const MAX_COUNTS = 256;

interface Counts {
  version: string;
  readonly values: Map<string, number>;
}

const byConnection = new WeakMap<Db, Counts>();

/**
 * What has been committed to the database as this connection sees it: `data_version` moves when another
 * connection commits (another process's rescan, a job's `cohort add`), `total_changes()` when this one
 * writes. Either moving drops every remembered count.
 */
function databaseVersion(db: Db): string {
  const others = db.pragma('data_version', { simple: true }) as number;
  const own = db.prepare('SELECT total_changes()').pluck().get() as number;
  return `${others}:${own}`;
}

/**
 * `count()`, or the value it gave for the same `key` (the count statement and its parameters) while
 * the database has not changed since. A table's total over a biobank (a file pattern tested on
 * 2,000,000 files) costs far more than its page: paging on, or asking again for the same filter, no
 * longer pays it. Exact, never stale: any committed change drops every remembered count.
 *
 * Example: `cachedCount(db, query.text + JSON.stringify(query.params), () => count(query))`.
 */
export function cachedCount(db: Db, key: string, count: () => number): number {
  const version = databaseVersion(db);
  let counts = byConnection.get(db);
  if (counts === undefined) {
    counts = { version, values: new Map() };
    byConnection.set(db, counts);
  } else if (counts.version !== version) {
    counts.version = version;
    counts.values.clear();
  }
  const known = counts.values.get(key);
  if (known !== undefined) return known;
  const value = count();
  if (counts.values.size >= MAX_COUNTS) counts.values.clear();
  counts.values.set(key, value);
  return value;
}

/**
 * A table's total for a page of `rows` rows: a short page that did not start past the end holds the last
 * matching row, so its offset and length are the total; otherwise the count statement, remembered as
 * {@link cachedCount} does.
 */
export function pageTotal(db: Db, page: PageRequest, rows: number, count: SqlFragment): number {
  if (rows < page.limit && (rows > 0 || page.offset === 0)) return page.offset + rows;
  return cachedCount(db, `${count.text}\n${JSON.stringify(count.params)}`, () =>
    Number(
      db
        .prepare(count.text)
        .pluck()
        .get(...count.params),
    ),
  );
}
