import { dirname, isAbsolute } from 'node:path';
import { invalidInput } from '../errors/cohort-error.js';
import { argumentNameProblem } from './argument-names.js';
import type { JobArgument, JobDefinition } from './job-definition.js';
import type { ResolvedArguments } from './task-command.js';

/** One argument with its checked value for an item. */
export type BoundArgument =
  | {
      readonly name: string;
      readonly type: 'FILE';
      readonly multiple: boolean;
      readonly value: readonly string[];
    }
  | { readonly name: string; readonly type: 'OUT' | 'PATHOUT'; readonly value: string }
  | { readonly name: string; readonly type: 'NUMERIC'; readonly value: number }
  | { readonly name: string; readonly type: 'STRING' | 'OPTION'; readonly value: string }
  | { readonly name: string; readonly type: 'LOGICAL'; readonly value: boolean };

/**
 * Pairs each argument of a job with its resolved value, checking what the generated code relies on
 * whatever path the definition took: names are plain identifiers, paths absolute, values of the right
 * type, no NUL (argv and environment cannot carry one). A value with no argument is refused too, so a
 * typo in the engine cannot pass unnoticed.
 *
 * @throws CohortError INVALID_INPUT naming the job and argument.
 */
export function bindArguments(job: JobDefinition, resolved: ResolvedArguments): BoundArgument[] {
  const fail = (arg: Pick<JobArgument, 'name' | 'type'>, problem: string): never => {
    throw invalidInput(`job '${job.name}', argument '${arg.name}' (${arg.type}): ${problem}`);
  };
  const declared = new Set(job.args.map((arg) => arg.name));
  for (const key of Object.keys(resolved)) {
    if (!declared.has(key))
      throw invalidInput(`job '${job.name}': a value was given for '${key}', which it has no argument for`);
  }
  return job.args.map((arg): BoundArgument => {
    const nameProblem = argumentNameProblem(arg.name);
    if (nameProblem !== null) fail(arg, nameProblem);
    const value = Object.hasOwn(resolved, arg.name) ? resolved[arg.name] : undefined;
    const expect = (ok: boolean, what: string): void => {
      if (!ok) fail(arg, `expected ${what}, got ${value === undefined ? 'no value' : JSON.stringify(value)}`);
    };
    const checkText = (text: string): string =>
      text.includes('\0') ? fail(arg, 'the value contains a NUL character') : text;
    switch (arg.type) {
      case 'FILE': {
        const files = value ?? (arg.optional === true ? [] : undefined);
        expect(Array.isArray(files) && files.every((f) => typeof f === 'string'), 'a list of absolute paths');
        const list = (files as readonly string[]).map(checkText);
        if (list.length === 0 && arg.optional !== true) fail(arg, 'no input file was resolved');
        list.forEach((path) => expect(isAbsolute(path), 'absolute paths'));
        return { name: arg.name, type: 'FILE', multiple: arg.multiple === true, value: list };
      }
      case 'OUT':
      case 'PATHOUT':
        expect(typeof value === 'string' && isAbsolute(value), 'an absolute path');
        return { name: arg.name, type: arg.type, value: checkText(value as string) };
      case 'NUMERIC':
        expect(typeof value === 'number' && Number.isFinite(value), 'a finite number');
        return { name: arg.name, type: 'NUMERIC', value: value as number };
      case 'LOGICAL':
        expect(typeof value === 'boolean', 'true or false');
        return { name: arg.name, type: 'LOGICAL', value: value as boolean };
      case 'STRING':
      case 'OPTION':
        expect(typeof value === 'string', 'text');
        return { name: arg.name, type: arg.type, value: checkText(value as string) };
    }
  });
}

/** A value as one environment or argv word: FILE paths space-joined, LOGICAL `true` / `false`. */
export function wordOf(bound: BoundArgument): string {
  switch (bound.type) {
    case 'FILE':
      return bound.value.join(' ');
    case 'NUMERIC':
      return String(bound.value);
    case 'LOGICAL':
      return bound.value ? 'true' : 'false';
    case 'OUT':
    case 'PATHOUT':
    case 'STRING':
    case 'OPTION':
      return bound.value;
  }
}

/** Folders the engine creates before the task: an OUT's parent, a PATHOUT itself. */
export function outputFolders(bound: readonly BoundArgument[]): string[] {
  const folders = bound.flatMap((b) => {
    if (b.type === 'OUT') return [dirname(b.value)];
    return b.type === 'PATHOUT' ? [b.value] : [];
  });
  return [...new Set(folders)];
}
