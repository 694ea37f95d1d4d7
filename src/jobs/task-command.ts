/**
 * What a job becomes for one item: a program and its words, its environment, and the files the engine
 * writes into the task's work folder first. Values only ever travel as argv words, environment values
 * or data files (args.json, MATLAB literals with quotes doubled): never as unescaped shell or code text.
 */
export interface TaskCommand {
  /** Program and arguments, run with the work folder as the current directory. */
  readonly argv: readonly string[];
  /** Variables to add to the task's environment (the engine adds COHORT_PROJECT, PATH...). */
  readonly env: Readonly<Record<string, string>>;
  /** Files to write (UTF-8) before running; absolute paths inside the work folder. */
  readonly files: readonly TaskFile[];
  /** Folders to create before running: each OUT's parent and each PATHOUT itself. */
  readonly mkdirs: readonly string[];
}

export interface TaskFile {
  readonly path: string;
  readonly content: string;
}

/**
 * A job's argument values for one item, by argument name, as the engine resolved them:
 * FILE absolute paths (string[], empty for a missing optional input); OUT/PATHOUT an absolute path;
 * NUMERIC a number; STRING and OPTION a string; LOGICAL a boolean.
 */
export type ResolvedArguments = Readonly<Record<string, ResolvedValue>>;

export type ResolvedValue = string | readonly string[] | number | boolean;
