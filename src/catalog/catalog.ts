import type { CohortConfig } from '../config/resolve-config.js';
import { openDatabase, type Db } from '../db/open-database.js';

/** An open catalog: the database plus the configuration it was opened with. */
export interface Catalog {
  readonly db: Db;
  readonly config: CohortConfig;
  close(): void;
}

export function openCatalog(config: CohortConfig): Catalog {
  const db = openDatabase(config.databasePath, { busyTimeoutMs: config.busyTimeoutMs });
  return { db, config, close: () => db.close() };
}
