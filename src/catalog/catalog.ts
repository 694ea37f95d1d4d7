import { join } from 'node:path';
import type { CohortConfig } from '../config/resolve-config.js';
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

export function openCatalog(config: CohortConfig): Catalog {
  const db = openDatabase(config.databasePath, { busyTimeoutMs: config.busyTimeoutMs });
  const id = db.prepare(`SELECT value FROM catalog_info WHERE key = 'id'`).pluck().get() as string;
  return { db, config, runsDir: join(config.home, 'runs', id), close: () => db.close() };
}
