/**
 * One schema migration, applied in order and recorded in `schema_migrations`. Never edit a migration
 * that has shipped: add a new one.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** A CHECK constraint's list of allowed values, from a TypeScript list declared once. */
export const inList = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');
