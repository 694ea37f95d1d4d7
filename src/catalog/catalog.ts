import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CohortConfig } from '../config/resolve-config.js';
import { databaseProblem } from '../db/database-problem.js';
import { openDatabase, type Db } from '../db/open-database.js';

/** An open catalog: the database plus the configuration it was opened with. */
export interface Catalog {
  readonly db: Db;
  readonly config: CohortConfig;
  /**
   * This catalog's own folder for run folders, `<home>/runs/<catalog id>` (the id is made with the
   * catalog): two catalogs under one COHORT_HOME never share a run folder.
   */
  readonly runsDir: string;
  close(): void;
}

export interface OpenCatalogOptions {
  /** Create the database when missing (default true; the CLI allows it to three commands only). */
  readonly create?: boolean;
}

/** COHORT_HOME holds the database, run folders and job credentials: its owner's only. */
export const HOME_MODE = 0o700;

/**
 * Opens the catalog of `config`, making (or narrowing) COHORT_HOME to mode 0700 and the database file
 * to 0600 on the way.
 */
export function openCatalog(config: CohortConfig, options: OpenCatalogOptions = {}): Catalog {
  if (options.create !== false) {
    try {
      mkdirSync(config.home, { recursive: true, mode: HOME_MODE });
    } catch (error) {
      throw databaseProblem(error, config.databasePath) ?? error;
    }
  }
  protectHome(config.home);
  const db = openDatabase(config.databasePath, {
    busyTimeoutMs: config.busyTimeoutMs,
    ...(options.create === undefined ? {} : { create: options.create }),
  });
  const id = db.prepare(`SELECT value FROM catalog_info WHERE key = 'id'`).pluck().get() as string;
  return { db, config, runsDir: join(config.home, 'runs', id), close: () => db.close() };
}

function protectHome(home: string): void {
  try {
    if (!existsSync(home)) return;
    const stat = statSync(home);
    if ((stat.mode & 0o077) !== 0 && stat.uid === process.getuid?.()) chmodSync(home, HOME_MODE);
  } catch {
    // A home we may not change (read-only mount): opening the database reports what matters.
  }
}
