import type { ArgType, JobArgument, JobDefinition, ScriptLanguage } from './job-definition.js';

/** A variable a script uses, as the argument row the composer shows for it. */
export interface ArgumentRow {
  readonly name: string;
  readonly type: ArgType;
}

/** What {@link syncArguments} changed: the job with rows added, and the rows the script no longer uses. */
export interface SyncedArguments {
  readonly job: JobDefinition;
  /** Names of the rows added (in script-variable order). */
  readonly added: readonly string[];
  /** Names of existing rows the script does not mention; kept, so the user decides. */
  readonly unused: readonly string[];
}

const LETTER_TYPES = { f: 'FILE', o: 'OUT', p: 'PATHOUT', s: 'STRING', n: 'NUMERIC' } as const;
type Letter = keyof typeof LETTER_TYPES;
const LETTER_ORDER: readonly Letter[] = ['f', 'o', 'p', 's', 'n'];

// `$f1`, `${f1}`, `${f1:-x}`, `${#f1}`; not `\$f1` (escaped, literal text) nor `$f1x` (another variable).
const SHELL_VARIABLE = /(?<!\\)\$(?:\{#?)?([fopsn])([1-9]\d*)(?![A-Za-z0-9_])/g;
// `input1`, `output2` as whole words; not `s.input1` (a field of something else).
const MATLAB_VARIABLE = /(?<![A-Za-z0-9_.])(input|output)([1-9]\d*)(?![A-Za-z0-9_])/g;

/**
 * The argument variables a script uses, sorted (FILE, OUT, PATHOUT, STRING, NUMERIC; by number) and
 * without duplicates. BASH and Python: `$f1` / `${f1}` (FILE), `$o1` (OUT), `$p1` (PATHOUT), `$s1`
 * (STRING), `$n1` (NUMERIC). MATLAB: `input1..N` (FILE) and `output1..N` (OUT).
 *
 * Example: `scriptVariables('bash', 'bet $f1 $o1 -f $n1')` gives f1 FILE, o1 OUT, n1 NUMERIC.
 */
export function scriptVariables(language: ScriptLanguage, script: string): ArgumentRow[] {
  const found = new Map<string, { row: ArgumentRow; order: number }>();
  if (language === 'matlab') {
    for (const [, word, digits] of script.matchAll(MATLAB_VARIABLE)) {
      const name = `${word}${digits}`;
      const type = word === 'input' ? 'FILE' : 'OUT';
      found.set(name, { row: { name, type }, order: (word === 'input' ? 0 : 1) * 1e6 + Number(digits) });
    }
  } else {
    for (const [, letter, digits] of script.matchAll(SHELL_VARIABLE)) {
      const key = letter as Letter;
      const name = `${key}${digits}`;
      found.set(name, {
        row: { name, type: LETTER_TYPES[key] },
        order: LETTER_ORDER.indexOf(key) * 1e6 + Number(digits),
      });
    }
  }
  return [...found.values()].sort((a, b) => a.order - b.order).map((entry) => entry.row);
}

/**
 * The types a variable-style name implies in a language (`f1` → FILE; MATLAB `output1` → OUT or
 * PATHOUT), or undefined for a free name such as `threshold`.
 */
export function impliedTypes(language: ScriptLanguage, name: string): readonly ArgType[] | undefined {
  if (language === 'matlab') {
    const match = /^(input|output)[1-9]\d*$/.exec(name);
    if (match === null) return undefined;
    return match[1] === 'input' ? ['FILE'] : ['OUT', 'PATHOUT'];
  }
  const match = /^([fopsn])[1-9]\d*$/.exec(name);
  return match === null ? undefined : [LETTER_TYPES[match[1] as Letter]];
}

/**
 * Whether a script mentions an argument. BASH: `$name` / `${name}`; Python: that or the plain
 * identifier (the preamble defines it); MATLAB: the identifier.
 */
export function usesArgument(language: ScriptLanguage, script: string, name: string): boolean {
  const word = escapeRegex(name);
  const dollar = new RegExp(`(?<!\\\\)\\$(?:\\{#?)?${word}(?![A-Za-z0-9_])`);
  const bare = new RegExp(`(?<![A-Za-z0-9_.$])${word}(?![A-Za-z0-9_])`);
  switch (language) {
    case 'bash':
      return dollar.test(script);
    case 'python':
      return dollar.test(script) || bare.test(script);
    case 'matlab':
      return bare.test(script);
  }
}

/**
 * Brings a script job's argument rows in line with its script: adds a row (empty patterns, path or
 * value, for the user to fill) for each variable the script uses but the job lacks, and reports the
 * rows the script no longer mentions. Library jobs are returned unchanged.
 */
export function syncArguments(job: JobDefinition): SyncedArguments {
  if (job.script === undefined || job.language === undefined) return { job, added: [], unused: [] };
  const { language, script } = job;
  const existing = new Set(job.args.map((arg) => arg.name));
  const missing = scriptVariables(language, script).filter((row) => !existing.has(row.name));
  const unused = job.args.filter((arg) => !usesArgument(language, script, arg.name)).map((arg) => arg.name);
  return {
    job: { ...job, args: [...job.args, ...missing.map(emptyArgument)] },
    added: missing.map((row) => row.name),
    unused,
  };
}

/** A new argument row of a type with nothing filled in yet (the composer's starting point). */
export function emptyArgument(row: ArgumentRow): JobArgument {
  const { name } = row;
  const ref = { kind: 'current' } as const;
  switch (row.type) {
    case 'FILE':
      return { type: 'FILE', name, patterns: [], ref };
    case 'OUT':
    case 'PATHOUT':
      return { type: row.type, name, path: '', ref };
    case 'NUMERIC':
      return { type: 'NUMERIC', name, value: 0 };
    case 'STRING':
      return { type: 'STRING', name, value: '' };
    case 'LOGICAL':
      return { type: 'LOGICAL', name, value: false };
    case 'OPTION':
      return { type: 'OPTION', name, value: '', choices: [] };
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
