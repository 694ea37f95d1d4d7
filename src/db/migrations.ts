import type { Migration } from './migration.js';
import { MIGRATIONS_V1_V9 } from './migrations-v1-v9.js';
import { MIGRATIONS_V10_UP } from './migrations-v10-up.js';
import { MIGRATIONS_V29_UP } from './migrations-v29-up.js';

export type { Migration } from './migration.js';

/** Every schema migration, in the order open-database applies those a catalog lacks. */
export const MIGRATIONS: readonly Migration[] = [
  ...MIGRATIONS_V1_V9,
  ...MIGRATIONS_V10_UP,
  ...MIGRATIONS_V29_UP,
];
