import type { CohortConfig } from '../config/resolve-config.js';
import type { Catalog } from '../catalog/catalog.js';
import type { Project } from '../catalog/project-store.js';

/** An option of a command, as data: drives parsing and `--help`. */
export interface OptionSpec {
  /** `integer` values are parsed (and checked against `min`) before the command runs. */
  readonly type: 'string' | 'boolean' | 'integer';
  readonly short?: string;
  readonly multiple?: boolean;
  readonly description: string;
  /** Placeholder shown in help, e.g. `DIR`. */
  readonly value?: string;
  /** The only values allowed (checked before the command runs, listed in help). */
  readonly choices?: readonly string[];
  /** Smallest and largest value of an `integer` option. */
  readonly min?: number;
  readonly max?: number;
  /** The value when the option is not given (shown in help). */
  readonly default?: string | number | boolean;
}

export interface ArgSpec {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  readonly variadic?: boolean;
}

export type OptionValues = Readonly<Record<string, string | number | boolean | string[] | undefined>>;

/** What a command runs with. The catalog and project open lazily: `cohort --help` touches no database. */
export interface CommandContext {
  readonly config: CohortConfig;
  readonly options: OptionValues;
  readonly args: readonly string[];
  readonly json: boolean;
  catalog(): Catalog;
  project(): Project;
  print(text: string): void;
  printJson(value: unknown): void;
  warn(text: string): void;
}

export interface CommandSpec {
  /** One or two words: `select`, `tag add`. */
  readonly name: string;
  readonly summary: string;
  readonly args: readonly ArgSpec[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples?: readonly string[];
  /**
   * May make a new catalog database when none exists (only `create`, `demo`, `import-dicom`); every
   * other command refuses a missing one, so a mistyped `--db` never silently starts an empty catalog.
   */
  readonly createsCatalog?: boolean;
  /** Returns the exit code (0 when omitted). */
  run(ctx: CommandContext): Promise<number | void> | number | void;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  project: {
    type: 'string',
    short: 'p',
    value: 'NAME',
    description: 'Project to work on (default: $COHORT_PROJECT, or the only one).',
  },
  db: {
    type: 'string',
    value: 'FILE',
    description: 'Catalog database (default: $COHORT_DB or ~/.cohort/cohort.db).',
  },
  json: { type: 'boolean', description: 'Print machine-readable JSON.' },
  help: { type: 'boolean', short: 'h', description: 'Show help for the command.' },
};
