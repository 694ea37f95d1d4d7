import { validateTags } from '../catalog/tags.js';
import { isCohortError } from '../errors/cohort-error.js';
import { argumentNameProblem } from './argument-names.js';
import type { JobArgument, JobDefinition, StudyReference } from './job-definition.js';
import { outputPathProblem } from './output-path-problem.js';
import { impliedTypes, scriptVariables } from './script-variables.js';

/** One broken rule of a structurally valid job, worded as "problem — fix". */
export interface JobProblem {
  /** Index of the argument concerned, when the problem is one argument's. */
  readonly argument?: number;
  readonly message: string;
}

/**
 * The rules of a job that a schema cannot express: a job is either a script or a library job; argument
 * names are unique identifiers; outputs stay inside their study; FILE has a pattern; NUMERIC lies
 * within its range; OPTION is one of its choices; tags are valid; a script's variables match its
 * arguments. Returns every problem (empty: valid).
 */
export function jobProblems(job: JobDefinition): JobProblem[] {
  const problems: JobProblem[] = kindProblems(job).map((message) => ({ message }));
  const seen = new Set<string>();
  job.args.forEach((arg, index) => {
    const add = (message: string): void => void problems.push({ argument: index, message });
    const nameProblem = argumentNameProblem(arg.name);
    if (nameProblem !== null) add(nameProblem);
    if (seen.has(arg.name)) add(`the job has two arguments named '${arg.name}' — rename one`);
    seen.add(arg.name);
    argumentProblems(arg).forEach(add);
    if (job.language !== undefined) {
      const implied = impliedTypes(job.language, arg.name);
      if (implied !== undefined && !implied.includes(arg.type)) {
        add(
          `by its name it should have type ${implied.join(' or ')}, but has type ${arg.type} — ` +
            'change its type, or rename it',
        );
      }
    }
  });
  if (job.language !== undefined && job.script !== undefined) {
    for (const row of scriptVariables(job.language, job.script)) {
      if (seen.has(row.name)) continue;
      const token = job.language === 'matlab' ? row.name : `$${row.name}`;
      problems.push({
        message:
          `the script uses ${token} but the job has no argument '${row.name}' — ` +
          `add a ${row.type} argument named ${row.name}, or remove ${token} from the script`,
      });
    }
  }
  const tag = job.options?.tagOnSuccess;
  if (tag !== undefined) problems.push(...tagProblems([tag]).map((m) => ({ message: `tagOnSuccess: ${m}` })));
  if (job.environment?.includes('\0') === true) {
    problems.push({ message: 'the environment line contains a NUL character — remove it' });
  }
  job.extraArgs?.forEach((word, i) => {
    if (word.includes('\0'))
      problems.push({ message: `extra argument ${i + 1} contains a NUL character — remove it` });
  });
  return problems;
}

function kindProblems(job: JobDefinition): string[] {
  if (job.script !== undefined && job.library !== undefined) {
    return [
      `has both a script and the library job '${job.library}' — keep one: a job runs either its own script ` +
        'or a predefined job',
    ];
  }
  if (job.library !== undefined) {
    return job.language === undefined
      ? []
      : [
          `library job '${job.library}' has a language (${job.language}) — remove it; the library job says how it runs`,
        ];
  }
  if (job.script === undefined) {
    return [
      'has neither a script nor a library job — write a script (bash, python or matlab) or choose a predefined job',
    ];
  }
  if (job.language === undefined)
    return ['has a script but no language — set language to bash, python or matlab'];
  if (job.script.trim() === '') return ['has an empty script — write the code the job runs'];
  return [];
}

function argumentProblems(arg: JobArgument): string[] {
  switch (arg.type) {
    case 'FILE':
      return [...fileProblems(arg.patterns), ...referenceProblems(arg.ref)];
    case 'OUT':
    case 'PATHOUT': {
      const pathProblem = outputPathProblem(arg.type, arg.path);
      return [
        ...(pathProblem === null ? [] : [pathProblem]),
        ...referenceProblems(arg.ref),
        ...(arg.tags === undefined || arg.tags.length === 0 ? [] : tagProblems(arg.tags)),
      ];
    }
    case 'NUMERIC':
      return numericProblems(arg.value, arg.min, arg.max);
    case 'STRING':
      return arg.value.includes('\0')
        ? ['the value contains a NUL character — remove it (no program can receive it)']
        : [];
    case 'LOGICAL':
      return [];
    case 'OPTION':
      if (arg.choices.length === 0)
        return ['has no choices — list the allowed values, e.g. ["linear", "nearest"]'];
      return arg.choices.includes(arg.value)
        ? []
        : [`value '${arg.value}' is not one of the choices (${arg.choices.join(', ')}) — choose one of them`];
  }
}

function fileProblems(patterns: readonly string[]): string[] {
  if (patterns.every((p) => p.trim() === '')) {
    return ['has no pattern — give at least one pattern for the input files, e.g. t1*/*.nii'];
  }
  const problems: string[] = [];
  patterns.forEach((pattern, i) => {
    const at = `pattern ${i + 1}`;
    if (pattern.trim() === '') problems.push(`${at} is empty — remove it or give a pattern, e.g. t1*/*.nii`);
    else if (pattern.includes('\0')) problems.push(`${at} contains a NUL character — remove it`);
    else if (pattern.startsWith('/')) {
      problems.push(
        `${at} '${pattern}' is absolute — patterns are relative to the study folder, e.g. t1*/*.nii`,
      );
    }
  });
  return problems;
}

function numericProblems(value: number, min: number | undefined, max: number | undefined): string[] {
  if (min !== undefined && max !== undefined && min > max) {
    return [`the minimum ${min} is above the maximum ${max} — swap them`];
  }
  const range = `${min ?? '-∞'} to ${max ?? '∞'}`;
  if (min !== undefined && value < min)
    return [`value ${value} is below the minimum ${min} — give a value from ${range}`];
  if (max !== undefined && value > max)
    return [`value ${value} is above the maximum ${max} — give a value from ${range}`];
  return [];
}

function referenceProblems(ref: StudyReference): string[] {
  return ref.kind === 'tagged' ? tagProblems([ref.tag]).map((m) => `study reference: ${m}`) : [];
}

// validateTags owns the tag syntax; its error becomes one "problem — fix" line here.
function tagProblems(tags: readonly string[]): string[] {
  try {
    validateTags(tags);
    return [];
  } catch (error) {
    if (!isCohortError(error)) throw error;
    return [`${error.message.replace(/\.$/, '')} — ${error.hint ?? 'fix the tag'}`];
  }
}
