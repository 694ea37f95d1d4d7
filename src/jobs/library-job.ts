import { dirname } from 'node:path';
import { z } from 'zod';
import { argumentNameProblem } from './argument-names.js';
import { JOB_LEVELS, type JobArgument, type JobLevel } from './job-definition.js';
import { jobArgumentSchema } from './job-schema.js';
import { placeholderProblems, resolveLibraryFiles } from './library-placeholders.js';

/**
 * A predefined job, declared as JSON in a library folder:
 * `{ id, name, description, command: [...] | commands: [[...], ...], args: [...], requires: [...],
 * tool, help: { argName: text } }`.
 * `args` are templates of the job's arguments (patterns and paths the user completes); commands are
 * argv word lists with whole-word placeholders (`{f1}`, `{dir:f1}`, `{work}`, `{extra}`), see
 * library-placeholders.ts; `{lib:NAME}` runs a helper file shipped beside the JSON file.
 */
export interface LibraryJob {
  /** `group/name`, e.g. `image/smooth`. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Run in order; the job stops at the first that fails. */
  readonly commands: readonly (readonly string[])[];
  readonly args: readonly JobArgument[];
  /** Programs that must be on PATH where the job runs, e.g. `dwi2tensor`. */
  readonly requires: readonly string[];
  /** The tools it calls and the versions it was tested with, e.g. `MRtrix3 3.0.3 (mrregister)`. */
  readonly tool?: string;
  /** A line per argument name: what it is, its format and, for outputs, the tags they get. */
  readonly help: Readonly<Record<string, string>>;
  /**
   * Run after the commands, in the work folder: each command's trimmed standard output must equal
   * `expect`, else the task fails with `problem` (an FA map of NaN is a failure, not a result). Every
   * OUT must also exist and be non-empty, and every PATHOUT be a folder, checked for all library jobs.
   */
  readonly checks: readonly LibraryCheck[];
  /**
   * `group`: the job runs once over all items of a run (its FILE arguments are lists of every item's
   * files, its outputs go to an analysis folder); a batch must use it with `"level": "group"`.
   */
  readonly level?: JobLevel;
  /** The JSON file it was read from (for messages). */
  readonly file: string;
}

/** One output check of a library job. */
export interface LibraryCheck {
  readonly command: readonly string[];
  readonly expect: string;
  /** Why the task failed when the output differs, naming the likely cause. */
  readonly problem: string;
}

const text = z.string().trim().min(1, 'is empty');
const word = z.string().refine((w) => !w.includes('\0'), 'contains a NUL character');
const command = z
  .array(word)
  .min(1, 'is empty — give the program and its arguments, e.g. ["mrinfo", "{f1}"]');

// Templates may leave out what the user fills in later: the study reference and the FILE patterns.
const templateArgument = z.preprocess((value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const arg = value as Record<string, unknown>;
  const withRef = ['FILE', 'OUT', 'PATHOUT'].includes(String(arg['type']))
    ? { ref: { kind: 'current' }, ...arg }
    : arg;
  return arg['type'] === 'FILE' ? { patterns: [], ...withRef } : withRef;
}, jobArgumentSchema);

const libraryFileSchema = z
  .object({
    id: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9_.-]*(\/[a-z0-9][a-z0-9_.-]*)*$/,
        'must be lower-case words joined by /, e.g. image/smooth',
      ),
    name: text,
    description: z.string().default(''),
    command: command.optional(),
    commands: z.array(command).min(1, 'is empty — list at least one command').optional(),
    args: z.array(templateArgument).default([]),
    requires: z.array(text.regex(/^[^/\s]+$/, 'must be a program name, e.g. mrfilter')).default([]),
    tool: text.optional(),
    level: z.enum(JOB_LEVELS).optional(),
    help: z.record(text).default({}),
    checks: z.array(z.object({ command, expect: z.string(), problem: text }).strict()).default([]),
  })
  .strict();

/**
 * Parses and checks one library file's JSON. Returns the job, or the problems ("field: problem — fix").
 */
export function parseLibraryJob(json: unknown, file: string): LibraryJob | { problems: string[] } {
  const parsed = libraryFileSchema.safeParse(json);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((issue) => {
        const field = issue.path.join('.');
        return `${field === '' ? '' : `${field}: `}${issue.code === 'unrecognized_keys' ? `${issue.message} — remove or correct it` : issue.message}`;
      }),
    };
  }
  const { command: single, commands: many, ...rest } = parsed.data;
  const problems: string[] = [];
  if ((single === undefined) === (many === undefined)) {
    problems.push(
      'give either "command": [...] (one command) or "commands": [[...], ...] (several run in order)',
    );
  }
  const commands = many ?? (single === undefined ? [] : [single]);
  const args: JobArgument[] = rest.args;
  const seen = new Set<string>();
  for (const arg of args) {
    const problem = argumentNameProblem(arg.name);
    if (problem !== null) problems.push(`argument '${arg.name}': ${problem}`);
    if (seen.has(arg.name)) problems.push(`two arguments are named '${arg.name}' — rename one`);
    seen.add(arg.name);
  }
  for (const name of Object.keys(rest.help)) {
    if (!seen.has(name))
      problems.push(`help: '${name}' is no argument of this job — fix the name or remove it`);
  }
  problems.push(...placeholderProblems([...commands, ...rest.checks.map((c) => c.command)], args));
  const files = resolveLibraryFiles(commands, dirname(file));
  problems.push(...files.problems);
  return problems.length > 0 ? { problems } : { ...rest, args, commands: files.commands, file };
}
