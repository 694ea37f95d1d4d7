import type { Isolation } from './isolation.js';

/**
 * The job model: a named function with typed arguments. Definitions are plain JSON-compatible data so
 * they can be stored in batches, exported, and validated with `validateJob` (job-schema.ts).
 */

export const ARG_TYPES = ['FILE', 'OUT', 'PATHOUT', 'NUMERIC', 'STRING', 'LOGICAL', 'OPTION'] as const;
export type ArgType = (typeof ARG_TYPES)[number];

/**
 * Which study a file argument refers to. At study level `current` is the study being processed; at
 * subject level a FILE must say which of the subject's studies it means.
 */
export type StudyReference =
  | { readonly kind: 'current' }
  /** offset 0 = the oldest/latest, 1 = the second oldest/latest... */
  | { readonly kind: 'oldest' | 'latest'; readonly offset?: number }
  /** The (latest) study of the subject carrying this tag. */
  | { readonly kind: 'tagged'; readonly tag: string }
  /** The (latest) study whose id matches this pattern (`*`, `_` wildcards). */
  | { readonly kind: 'matching'; readonly pattern: string }
  /** A reference defined at batch level, e.g. `BASELINE`. */
  | { readonly kind: 'named'; readonly name: string }
  /** An analysis folder of the project: `ANALYSIS#name`. */
  | { readonly kind: 'analysis'; readonly name: string }
  /** The subject's own files beside its sessions (BIDS `sub-01_sessions.tsv`): `PID#subject-level`. */
  | { readonly kind: 'subject' };

/** FILE: input file(s) given by one or more patterns (a union), in a referenced study. */
export interface FileArgument {
  readonly type: 'FILE';
  readonly name: string;
  readonly patterns: readonly string[];
  readonly ref: StudyReference;
  /** Accept several matching files (default: exactly one expected; the first by path is taken). */
  readonly multiple?: boolean;
  /** A missing optional input does not make the item fail. */
  readonly optional?: boolean;
  /**
   * Resolve to the matched file's sidecar with this extension (`.bval`, `.bvec`, `.json`) instead of the
   * file itself, found by the BIDS inheritance principle (a top-level `dwi.bval` serves every DWI run).
   * With `multiple`, every applicable sidecar of every match, top-down (to merge JSON in order).
   */
  readonly sidecar?: string;
}

/** OUT / PATHOUT: an output file or folder path (no wildcards) inside a referenced study. */
export interface OutArgument {
  readonly type: 'OUT' | 'PATHOUT';
  readonly name: string;
  /** Relative path inside the study (or analysis) folder, e.g. `masks/brain.nii`. */
  readonly path: string;
  readonly ref: StudyReference;
  /** Tags given to the output file when it is registered after a successful run (`name TAG(t)`). */
  readonly tags?: readonly string[];
}

export interface NumericArgument {
  readonly type: 'NUMERIC';
  readonly name: string;
  readonly value: number;
  readonly min?: number;
  readonly max?: number;
}

export interface StringArgument {
  readonly type: 'STRING';
  readonly name: string;
  readonly value: string;
}

export interface LogicalArgument {
  readonly type: 'LOGICAL';
  readonly name: string;
  readonly value: boolean;
}

export interface OptionArgument {
  readonly type: 'OPTION';
  readonly name: string;
  readonly value: string;
  readonly choices: readonly string[];
}

export type JobArgument =
  FileArgument | OutArgument | NumericArgument | StringArgument | LogicalArgument | OptionArgument;

export const SCRIPT_LANGUAGES = ['bash', 'python', 'matlab'] as const;
export type ScriptLanguage = (typeof SCRIPT_LANGUAGES)[number];

export const JOB_LEVELS = ['group'] as const;
/**
 * `group`: the job runs once over all items of the selection, after every item's earlier jobs; each
 * FILE argument gets the list of all items' files and outputs go to an analysis folder.
 */
export type JobLevel = (typeof JOB_LEVELS)[number];

export const ON_ERROR = ['break', 'continue', 'ignore'] as const;
/** break: the item's later jobs do not run (default); continue: report and go on; ignore: count as success. */
export type OnError = (typeof ON_ERROR)[number];

/** Scheduler resources; every field optional, the queue's defaults apply. */
export interface Resources {
  readonly cpus?: number;
  readonly memoryMB?: number;
  /** Wall-time limit in minutes. */
  readonly timeMinutes?: number;
  readonly gpus?: number;
  /** Queue name from the project's configuration (Slurm partition, SGE queue). */
  readonly queue?: string;
}

export interface JobOptions {
  readonly onError?: OnError;
  /** Study tag added to the item's study when the job succeeds. */
  readonly tagOnSuccess?: string;
  readonly resources?: Resources;
  /** Keep the job's logs after success (errors always keep them). Default true. */
  readonly keepLogs?: boolean;
  /** Run in a sandbox or a container (isolation.ts); default: its queue's, else none. */
  readonly isolation?: Isolation;
}

/**
 * A job as it appears in a batch. Either a generic script (`script` + `language`) or a predefined
 * library job (`library` names it; its definition supplies the command).
 */
export interface JobDefinition {
  /** Display name (custom names allowed), e.g. `Brain mask`. */
  readonly name: string;
  readonly language?: ScriptLanguage;
  readonly script?: string;
  /** Id of a predefined job in the library, e.g. `mrtrix/dwi2tensor`. */
  readonly library?: string;
  /** Absent: the job runs per item (the batch's level); `group`: once over all items. */
  readonly level?: JobLevel;
  readonly args: readonly JobArgument[];
  /** Extra command-line words appended after the declared arguments (variable-length arguments). */
  readonly extraArgs?: readonly string[];
  /** A shell line run before the job to set up its environment, e.g. `module load fsl`. */
  readonly environment?: string;
  readonly options?: JobOptions;
}
