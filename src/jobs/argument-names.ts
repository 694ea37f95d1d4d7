/**
 * Argument names become BASH environment variables, Python and MATLAB variables and library
 * placeholders, so they must be plain identifiers in all of them. Lower case only: no name can then
 * replace PATH, HOME, LD_PRELOAD or another upper-case variable the environment relies on.
 */
export const ARGUMENT_NAME = /^[a-z][a-z0-9_]{0,31}$/;

// Keywords of Python and MATLAB (BASH has none that matter for variable names), and our own prefix:
// generated code defines `cohort_args` and helper variables starting with `cohort_`.
const RESERVED = new Set([
  ...['and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif'],
  ...['else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda'],
  ...['nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield'],
  ...['case', 'catch', 'classdef', 'elseif', 'end', 'function', 'otherwise', 'parfor', 'persistent'],
  ...['spmd', 'switch'],
]);

/** Why a name cannot be an argument name (problem — fix), or null when it can. */
export function argumentNameProblem(name: string): string | null {
  if (!ARGUMENT_NAME.test(name)) {
    return (
      `name '${name}' is not a plain lower-case identifier — use 1-32 lower-case letters, digits ` +
      `and _ starting with a letter, e.g. f1, o1 or threshold`
    );
  }
  if (RESERVED.has(name) || name.startsWith('cohort_')) {
    return `name '${name}' is a keyword of Python or MATLAB or reserved by cohort — choose another, e.g. my_${name}`;
  }
  return null;
}
