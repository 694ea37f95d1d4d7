import { CohortError } from '../errors/cohort-error.js';

/** SQLite result codes (better-sqlite3's `code`) that mean the file is not a usable database. */
const DAMAGED = /^SQLITE_(NOTADB|CORRUPT)/;
/** Codes that mean the file or its folder cannot be written or opened (permissions, read-only mount). */
const NOT_WRITABLE = /^SQLITE_(READONLY|CANTOPEN|PERM|AUTH)/;
/** Node's own codes for the same kinds of trouble, when Cohort writes next to the database itself. */
const NODE_NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);
const NODE_FULL = new Set(['ENOSPC', 'EDQUOT']);

/**
 * Turns a low-level failure of the catalog database (a damaged file, a read-only folder, a full disk)
 * into a CohortError that names the file and the fix, or returns undefined when `error` is none of
 * these. The CLI and the server call it where they turn errors into output, so a damaged database is
 * one line of text, never a stack trace.
 */
export function databaseProblem(error: unknown, path: string): CohortError | undefined {
  if (error instanceof CohortError) return undefined;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (DAMAGED.test(code)) {
    return new CohortError(
      'FILESYSTEM',
      `The catalog database ${path} is damaged or not a database (${code}).`,
      {
        hint: `Check that --db / COHORT_DB names the right file; restore it from a backup, or try \`sqlite3 ${path} .recover\`.`,
        cause: error,
        context: { path, code },
      },
    );
  }
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || NODE_FULL.has(code)) {
    const full = code === 'SQLITE_FULL' || NODE_FULL.has(code);
    return new CohortError(
      'FILESYSTEM',
      full
        ? `The disk holding ${path} is full (${code}); nothing was changed by the failed write.`
        : `The catalog database ${path} could not be read or written (${code}).`,
      {
        hint: full
          ? 'Free some space, then run the command again (`cohort resume` continues an interrupted run).'
          : 'Check the disk and the file system holding the database, then run the command again.',
        retryable: true,
        cause: error,
        context: { path, code },
      },
    );
  }
  if (NOT_WRITABLE.test(code) || NODE_NOT_WRITABLE.has(code)) {
    const target = (error as { path?: unknown }).path;
    return new CohortError(
      'FILESYSTEM',
      `Cannot open or write ${typeof target === 'string' ? target : `the catalog database ${path}`} (${code}).`,
      {
        hint: 'Cohort needs write access to the database and its folder (SQLite adds -wal and -shm files beside it): fix the permissions, or set COHORT_HOME / --db to a writable place.',
        cause: error,
        context: { path, code },
      },
    );
  }
  return undefined;
}
