import { usesArgument } from '../api/api-types.js';
import type {
  ArgType,
  ArgumentRow,
  BatchDefinition,
  BatchLevel,
  JobArgument,
  JobDefinition,
  ScriptLanguage,
  StudyReference,
} from '../api/api-types.js';

/**
 * The composer's batch, edited as plain data and cleaned ({@link cleanBatch}) before it goes to the
 * server, which validates it (validateBatch) and words every problem.
 */
export type Draft = BatchDefinition;

export const LANGUAGE_TITLES: Record<ScriptLanguage, string> = {
  bash: 'BASH',
  python: 'Python',
  matlab: 'MATLAB',
};

export function newDraft(): Draft {
  return { name: 'new batch', level: 'study', jobs: [] };
}

/** The default study of a FILE/OUT row: the item's study at study level; a subject has none, so its latest. */
export function defaultRef(level: BatchLevel): StudyReference {
  return level === 'study' ? { kind: 'current' } : { kind: 'latest' };
}

export function newGenericJob(language: ScriptLanguage): JobDefinition {
  return { name: `${LANGUAGE_TITLES[language]} job`, language, script: '', args: [] };
}

/** A fresh row of a type, keeping the name (and the study reference when both have one). */
export function defaultArgument(
  name: string,
  type: ArgType,
  level: BatchLevel,
  ref?: StudyReference,
): JobArgument {
  const at = ref ?? defaultRef(level);
  switch (type) {
    case 'FILE':
      return { type, name, patterns: [], ref: at };
    case 'OUT':
    case 'PATHOUT':
      return { type, name, path: '', ref: at };
    case 'NUMERIC':
      return { type, name, value: 0 };
    case 'STRING':
      return { type, name, value: '' };
    case 'LOGICAL':
      return { type, name, value: false };
    case 'OPTION':
      return { type, name, value: '', choices: [] };
  }
}

/** The argument with another type (a MATLAB `output1` as OUT or PATHOUT). */
export function retype(arg: JobArgument, type: ArgType, level: BatchLevel): JobArgument {
  if (arg.type === type) return arg;
  return defaultArgument(arg.name, type, level, 'ref' in arg ? arg.ref : undefined);
}

/**
 * Adds a row for each variable the script uses that the job lacks (`$f1` → FILE f1), in the script's
 * order after the existing rows. Rows the script no longer mentions stay (see {@link unusedRows}): the
 * user may have filled them in and decides.
 */
export function syncScriptRows(
  job: JobDefinition,
  rows: readonly ArgumentRow[],
  level: BatchLevel,
): JobDefinition {
  const have = new Set(job.args.map((a) => a.name));
  const added = rows.filter((r) => !have.has(r.name)).map((r) => defaultArgument(r.name, r.type, level));
  return added.length === 0 ? job : { ...job, args: [...job.args, ...added] };
}

/** Names of a generic job's rows its script does not use (shown marked, with a remove button). */
export function unusedRows(
  job: JobDefinition,
  rows: readonly ArgumentRow[] | undefined,
): ReadonlySet<string> {
  if (rows === undefined || job.script === undefined) return new Set();
  // The server's own test: `$l1`, `$opt1`, `thr` count as used, not only the `$f1`-style names detected.
  const script = job.script;
  const language = job.language ?? 'bash';
  return new Set(job.args.filter((a) => !usesArgument(language, script, a.name)).map((a) => a.name));
}

/** At subject level a FILE cannot mean "the current study": such rows become "latest", and back. */
export function withLevel(draft: Draft, level: BatchLevel): Draft {
  const fix = (ref: StudyReference): StudyReference =>
    level === 'subject' && ref.kind === 'current' ? { kind: 'latest' } : ref;
  return {
    ...draft,
    level,
    jobs: draft.jobs.map((job) => ({
      ...job,
      args: job.args.map((a) => ('ref' in a ? { ...a, ref: fix(a.ref) } : a)),
    })),
  };
}

/** Every reference name the jobs may use: the batch's named references. */
export function referenceNames(draft: Draft): string[] {
  return Object.keys(draft.references ?? {});
}

/**
 * The batch as the API expects it: empty optional fields dropped (an empty tag, an unset resource, an
 * empty queue), so that "not given" means the default rather than an invalid empty value.
 */
export function cleanBatch(draft: Draft): BatchDefinition {
  const jobs = draft.jobs.map((job): JobDefinition => {
    const options = job.options ?? {};
    const resources = Object.fromEntries(
      Object.entries(options.resources ?? {}).filter(
        ([, v]) => v !== undefined && v !== '' && !(typeof v === 'number' && Number.isNaN(v)),
      ),
    );
    const cleanOptions = {
      ...(options.onError === undefined ? {} : { onError: options.onError }),
      ...(options.tagOnSuccess === undefined || options.tagOnSuccess.trim() === ''
        ? {}
        : { tagOnSuccess: options.tagOnSuccess.trim() }),
      ...(Object.keys(resources).length === 0 ? {} : { resources }),
      ...(options.keepLogs === undefined ? {} : { keepLogs: options.keepLogs }),
    };
    const { options: _drop, environment, ...rest } = job;
    return {
      ...rest,
      ...(environment === undefined || environment.trim() === '' ? {} : { environment }),
      ...(Object.keys(cleanOptions).length === 0 ? {} : { options: cleanOptions }),
    };
  });
  const { queue, description, references, ...rest } = draft;
  return {
    ...rest,
    jobs,
    ...(queue === undefined || queue.trim() === '' ? {} : { queue: queue.trim() }),
    ...(description === undefined || description === '' ? {} : { description }),
    ...(references === undefined || Object.keys(references).length === 0 ? {} : { references }),
  };
}
