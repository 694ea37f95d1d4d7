import type { ZodIssue } from 'zod';
import type { JobArgument, JobDefinition, StudyReference } from '../jobs/job-definition.js';

/** Labels for messages about batches: they name things the way the user named them. */

/** `subject-level batch 'X'`, for messages; copes with input that is not a batch at all. */
export function batchLabel(input: unknown): string {
  const record = asRecord(input);
  const name = typeof record?.['name'] === 'string' ? `'${record['name']}'` : '(unnamed)';
  const level = record?.['level'];
  return level === 'study' || level === 'subject' ? `${level}-level batch ${name}` : `batch ${name}`;
}

/** `job 'Brain mask'` or `job 3` when the job has no usable name. */
export function jobLabel(job: Pick<JobDefinition, 'name'> | undefined, index: number): string {
  return typeof job?.name === 'string' && job.name.trim() !== '' ? `job '${job.name}'` : `job ${index + 1}`;
}

/** `argument 'f1'` or `argument 2` when the argument has no usable name. */
export function argumentLabel(arg: Pick<JobArgument, 'name'> | undefined, index: number): string {
  return typeof arg?.name === 'string' && arg.name.trim() !== ''
    ? `argument '${arg.name}'`
    : `argument ${index + 1}`;
}

/**
 * A zod issue in words users know, e.g.
 * `batch 'X', job 'Register', argument 'f1': ref.kind: Invalid discriminator value...`.
 */
// The issue path (['jobs', 1, 'args', 0, 'ref', 'kind']) is looked up in the raw input for the names.
export function describeIssue(input: unknown, issue: ZodIssue): string {
  const parts = [batchLabel(input)];
  const path = [...issue.path];
  let node: unknown = input;
  if (path[0] === 'jobs' && typeof path[1] === 'number') {
    const job = asRecord(asArray(asRecord(node)?.['jobs'])?.[path[1]]);
    parts.push(jobLabel(job as Pick<JobDefinition, 'name'> | undefined, path[1]));
    node = job;
    path.splice(0, 2);
    if (path[0] === 'args' && typeof path[1] === 'number') {
      const arg = asRecord(asArray(asRecord(node)?.['args'])?.[path[1]]);
      parts.push(argumentLabel(arg as Pick<JobArgument, 'name'> | undefined, path[1]));
      path.splice(0, 2);
    }
  } else if (path[0] === 'references' && typeof path[1] === 'string') {
    parts.push(`reference '${path[1]}'`);
    path.splice(0, 2);
  }
  const field = path.length > 0 ? `${path.join('.')}: ` : '';
  return `${parts.join(', ')}: ${field}${issue.message}`;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function asArray(value: unknown): readonly unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** A study reference the way users write it: `LATEST`, `OLDEST+1`, `tag baseline`, `ANALYSIS#models`. */
export function describeReference(ref: StudyReference): string {
  switch (ref.kind) {
    case 'current':
      return 'the current study';
    case 'oldest':
      return ref.offset !== undefined && ref.offset > 0 ? `OLDEST+${ref.offset}` : 'OLDEST';
    case 'latest':
      return ref.offset !== undefined && ref.offset > 0 ? `LATEST-${ref.offset}` : 'LATEST';
    case 'tagged':
      return `the study tagged ${ref.tag}`;
    case 'matching':
      return `the study matching ${ref.pattern}`;
    case 'named':
      return ref.name;
    case 'analysis':
      return `ANALYSIS#${ref.name}`;
  }
}
