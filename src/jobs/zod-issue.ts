import type { ZodIssue } from 'zod';
import { ARG_TYPES } from './job-definition.js';

// What to write for a missing or mistyped field; the field names users meet most.
const EXAMPLES: Readonly<Record<string, string>> = {
  name: 'e.g. "Brain mask" (jobs) or "f1" (arguments)',
  type: `one of ${ARG_TYPES.join(', ')}`,
  patterns: 'e.g. ["t1*/*.nii"]',
  path: 'e.g. "masks/brain.nii"',
  ref: 'e.g. {"kind": "current"}',
  kind: 'e.g. "current", "oldest", "latest", "tagged", "matching", "named" or "analysis"',
  args: 'e.g. [] for a job without arguments',
  value: 'the value of the argument',
  choices: 'e.g. ["linear", "nearest"]',
};

/**
 * A zod issue of a job in the words of the job model: which argument (`argument 'o1' (OUT)`, looked
 * up in the raw input by the issue path) and "field: problem — fix".
 */
export function describeZodIssue(input: unknown, issue: ZodIssue): { argument?: string; problem: string } {
  let path = issue.path;
  let argument: string | undefined;
  const [top, index] = path;
  if (top === 'args' && typeof index === 'number') {
    argument = argumentLabel(at(at(input, 'args'), index), index);
    path = path.slice(2);
  }
  const field = path.map(String).join('.');
  const key = String(path[path.length - 1] ?? '');
  const example = EXAMPLES[key];
  const fix = example === undefined ? '' : ` — ${example}`;
  const subject = field === '' ? (argument === undefined ? 'the job' : 'the argument') : `field '${field}'`;
  let problem: string;
  switch (issue.code) {
    case 'invalid_type':
      problem =
        issue.received === 'undefined'
          ? `${subject} is missing${fix}`
          : `${subject} must be ${article(issue.expected)}, not ${article(issue.received)}${fix}`;
      break;
    case 'invalid_union_discriminator':
      problem = `${subject} must be one of ${issue.options.map(String).join(', ')}`;
      break;
    case 'invalid_enum_value':
      problem = `${subject} is '${String(issue.received)}' — use one of ${issue.options.map(String).join(', ')}`;
      break;
    case 'unrecognized_keys':
      problem = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')} in ${subject} — remove ${issue.keys.length > 1 ? 'them' : 'it'} or correct the spelling`;
      break;
    default:
      problem = `${subject} ${issue.message}${fix}`;
  }
  return argument === undefined ? { problem } : { argument, problem };
}

function argumentLabel(arg: unknown, index: number): string {
  const name = at(arg, 'name');
  const type = at(arg, 'type');
  const label =
    typeof name === 'string' && name.trim() !== '' ? `argument '${name}'` : `argument ${index + 1}`;
  return typeof type === 'string' && (ARG_TYPES as readonly string[]).includes(type)
    ? `${label} (${type})`
    : label;
}

function at(value: unknown, key: string | number): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as Record<string | number, unknown>)[key];
}

function article(type: string): string {
  if (type === 'undefined' || type === 'null') return type;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
