import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { wordOf, type BoundArgument } from './bind-arguments.js';
import type { JobArgument } from './job-definition.js';
import { DEFAULT_PYTHON } from './python-command.js';

/**
 * Placeholders of library commands. Each is a whole argv word, never part of one, so a value always
 * becomes whole words of the program's argv and is never cut, joined or parsed:
 * - `{f1}`: the argument's value; a FILE with several files gives several words, a missing optional
 *   FILE none; NUMERIC as written in JSON (`1.5`), LOGICAL as `true` / `false`.
 * - `{dir:f1}`: the folder of the (first) path of a FILE, OUT or PATHOUT argument.
 * - `{work}`: the task's work folder (commands also run there, so `tensor.mif` is a work file).
 * - `{python}`: the Python interpreter of the task's queue (default /usr/bin/python3, never the first
 *   `python3` on PATH, which may be a version manager's shim without Debian's numpy or torch); the only
 *   placeholder allowed as a command's first word.
 * - `{extra}`: the job's extra arguments; without it they are appended to the last command.
 * - `{lib:NAME}`: the file NAME beside the library JSON file (a helper script the job ships), replaced
 *   by its absolute path when the library is loaded (see `resolveLibraryFiles`).
 */
const PLACEHOLDER = /^\{(?:(dir):)?([a-z][a-z0-9_]*)\}$/;
const INSIDE_WORD = /\{(?:dir:)?([a-z][a-z0-9_]*)\}/g;
const LIBRARY_FILE = /^\{lib:([A-Za-z0-9_][A-Za-z0-9_.-]*)\}$/;
/** Placeholder names that are not arguments. */
export const SPECIAL_PLACEHOLDERS = ['work', 'extra', 'python'] as const;

/** Problems ("problem — fix") of a library job's commands against its argument templates. */
export function placeholderProblems(
  commands: readonly (readonly string[])[],
  args: readonly JobArgument[],
): string[] {
  const types = new Map(args.map((arg) => [arg.name, arg.type]));
  const known = [...types.keys(), ...SPECIAL_PLACEHOLDERS].map((n) => `{${n}}`).join(', ');
  const problems: string[] = [];
  for (const name of SPECIAL_PLACEHOLDERS) {
    if (types.has(name))
      problems.push(`argument '${name}' has the name of the {${name}} placeholder — rename it`);
  }
  commands.forEach((command, c) => {
    const at = `command ${c + 1}`;
    const program = command[0] ?? '';
    if (program === '' || (program.includes('{') && program !== '{python}')) {
      problems.push(
        `${at} starts with '${program}' — the first word must be the program's name, e.g. mrfilter`,
      );
    }
    command.forEach((word, w) => {
      if (LIBRARY_FILE.test(word)) return;
      if (word.startsWith('{lib:')) {
        problems.push(
          `${at}, word ${w + 1}: '${word}' — {lib:NAME} needs a plain file name beside the library file, e.g. {lib:run.sh}`,
        );
        return;
      }
      const match = PLACEHOLDER.exec(word);
      if (match !== null) {
        const [, modifier, name = ''] = match;
        const type = types.get(name);
        if (type === undefined && !(SPECIAL_PLACEHOLDERS as readonly string[]).includes(name)) {
          problems.push(`${at}, word ${w + 1}: unknown placeholder '${word}' — use one of ${known}`);
        } else if (modifier === 'dir' && (type === undefined || !['FILE', 'OUT', 'PATHOUT'].includes(type))) {
          problems.push(`${at}, word ${w + 1}: '${word}' — {dir:...} needs a FILE, OUT or PATHOUT argument`);
        }
        return;
      }
      for (const [inner, name = ''] of word.matchAll(INSIDE_WORD)) {
        if (types.has(name) || (SPECIAL_PLACEHOLDERS as readonly string[]).includes(name)) {
          problems.push(
            `${at}, word ${w + 1}: '${word}' has ${inner} inside a word — placeholders must be whole words; ` +
              `split it into separate words`,
          );
        }
      }
    });
  });
  return problems;
}

/**
 * The commands with placeholders replaced by values (see the placeholder rules above). Assumes
 * `placeholderProblems` found nothing; an unknown name expands to nothing rather than to its text.
 */
export function expandCommands(
  commands: readonly (readonly string[])[],
  bound: readonly BoundArgument[],
  extraArgs: readonly string[],
  workDir: string,
  python: string = DEFAULT_PYTHON,
): string[][] {
  const byName = new Map(bound.map((b) => [b.name, b]));
  const usesExtra = commands.some((command) => command.includes('{extra}'));
  return commands.map((command, c) => {
    const words = command.flatMap((word): string[] => {
      const match = PLACEHOLDER.exec(word);
      if (match === null) return [word];
      const [, modifier, name = ''] = match;
      if (name === 'work') return [workDir];
      if (name === 'extra') return [...extraArgs];
      if (name === 'python') return [python];
      const arg = byName.get(name);
      if (arg === undefined) return [];
      const values = arg.type === 'FILE' ? [...arg.value] : [wordOf(arg)];
      if (modifier !== 'dir') return values;
      return values[0] === undefined ? [] : [dirname(values[0])];
    });
    return !usesExtra && c === commands.length - 1 ? [...words, ...extraArgs] : words;
  });
}

/**
 * The commands with each `{lib:NAME}` replaced by `folder/NAME`, and the problems of names that are no
 * file there. Done once when the library is read, so tasks get plain absolute paths.
 */
export function resolveLibraryFiles(
  commands: readonly (readonly string[])[],
  folder: string,
): { commands: string[][]; problems: string[] } {
  const problems: string[] = [];
  const resolved = commands.map((command, c) =>
    command.map((word) => {
      const name = LIBRARY_FILE.exec(word)?.[1];
      if (name === undefined) return word;
      const path = join(folder, name);
      if (!existsSync(path)) {
        problems.push(`command ${c + 1}: '${word}' — there is no file ${path}; add it or fix the name`);
      }
      return path;
    }),
  );
  return { commands: resolved, problems };
}
