import type DatabaseModule from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { CohortError, notFound } from '../errors/cohort-error.js';
import { databaseProblem } from './database-problem.js';
import { MIGRATIONS } from './migrations.js';

export type Db = DatabaseModule.Database;

// require, not import: an ES import of this CommonJS package first has Node parse it for its export
// names (cjs-module-lexer), 2-3 ms of CPU in every in-job `cohort add`.
const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as typeof DatabaseModule;

export interface OpenOptions {
  /** Wait this long for a lock held by another process. */
  readonly busyTimeoutMs: number;
  readonly readonly?: boolean;
  /**
   * Create the file when it does not exist (default true). The CLI passes false except for the commands
   * that make a catalog (`create`, `demo`, `import-dicom`), so a mistyped `--db` is an error, not a new
   * empty catalog.
   */
  readonly create?: boolean;
}

/** The database holds password hashes and session secrets: only its owner may read it. */
export const DATABASE_FILE_MODE = 0o600;

/**
 * Opens (creating if needed) the catalog database in WAL mode and brings its schema up to date.
 * WAL lets readers (the UI, `cohort select` inside jobs) run while an index writes.
 */
export function openDatabase(path: string, options: OpenOptions): Db {
  if (path !== ':memory:') prepareFile(path, options);
  return withBusyError(path, options.busyTimeoutMs, () => {
    let db: Db;
    try {
      db = new Database(path, {
        timeout: options.busyTimeoutMs,
        readonly: options.readonly ?? false,
        ...nativeBinding(),
      });
    } catch (error) {
      throw databaseProblem(error, path) ?? error;
    }
    try {
      if (options.readonly !== true) {
        db.pragma('journal_mode = WAL');
        migrate(db);
      }
      // NORMAL is durable across application crashes in WAL mode; only an OS crash may lose the last commit.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      return db;
    } catch (error) {
      db.close();
      throw databaseProblem(error, path) ?? error;
    }
  });
}

let binding: { nativeBinding?: string } | undefined;

/**
 * The addon's file, named to better-sqlite3 directly: otherwise its `bindings` helper finds it by
 * building an Error to read its caller's path from the stack and probing a dozen folders, a few ms of
 * every in-job `cohort add` (docs/benchmarks.md, "In-job cohort add"). Its own lookup where this fails.
 */
function nativeBinding(): { nativeBinding?: string } {
  if (binding === undefined) {
    try {
      binding = { nativeBinding: require.resolve('better-sqlite3/build/Release/better_sqlite3.node') };
    } catch {
      binding = {};
    }
  }
  return binding;
}

/**
 * Refuses a missing file unless asked to create one; creates a new one empty with mode 0600 (SQLite
 * gives its -wal and -shm files the same mode), and narrows an existing one that others could read.
 */
function prepareFile(path: string, options: OpenOptions): void {
  const exists = existsSync(path);
  // SQLite quietly turns an empty file into a new database: for a command that must not, it is missing.
  const empty = exists && statSync(path).isFile() && statSync(path).size === 0;
  if ((!exists || empty) && options.create === false) {
    throw notFound(
      `No catalog database at ${path}${empty ? ' (the file is empty)' : ''}.`,
      'Check --db, COHORT_DB and COHORT_HOME for a typo; `cohort create`, `cohort demo` or `cohort import-dicom` make a new catalog.',
    );
  }
  if (options.readonly === true) return;
  try {
    if (!exists) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      closeSync(openSync(path, 'wx', DATABASE_FILE_MODE));
    } else {
      for (const file of [path, `${path}-wal`, `${path}-shm`]) {
        if (existsSync(file)) narrowMode(file);
      }
    }
  } catch (error) {
    throw databaseProblem(error, path) ?? error;
  }
}

function narrowMode(file: string): void {
  try {
    chmodSync(file, DATABASE_FILE_MODE);
  } catch {
    // Not ours to change (another user's file we may only read, a read-only mount): leave it.
  }
}

function migrate(db: Db): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = new Set(
    db
      .prepare('SELECT version FROM schema_migrations')
      .pluck()
      .all()
      .map((v) => Number(v)),
  );
  const pending = MIGRATIONS.filter((m) => !applied.has(m.version));
  if (pending.length === 0) return;
  const apply = db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        Date.now(),
      );
    }
  });
  apply.immediate();
}

/**
 * Runs `fn`, turning SQLite's "database is locked" (after the busy timeout has been waited out) into a
 * clear, retryable error.
 */
export function withBusyError<T>(path: string, busyTimeoutMs: number, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (isBusy(error)) {
      throw new CohortError(
        'DATABASE_BUSY',
        `The catalog database ${path} is locked by another process (waited ${Math.round(busyTimeoutMs / 1000)} s).`,
        {
          hint: 'Wait for the other cohort command (an index or import) to finish, or stop it, then run this again. COHORT_DB_TIMEOUT_MS sets how long to wait.',
          retryable: true,
          cause: error,
          context: { path },
        },
      );
    }
    throw error;
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'SQLITE_BUSY_SNAPSHOT';
}
