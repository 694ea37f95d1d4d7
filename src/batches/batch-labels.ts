import type { ZodIssue } from 'zod';
import type { JobArgument, JobDefinition, StudyReference } from '../jobs/job-definition.js';

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
 * A zod issue of the batch's own fields in words users know, e.g.
 * `subject-level batch 'X', reference 'BASELINE': kind: Invalid discriminator value...`.
 */
export function describeIssue(input: unknown, issue: ZodIssue): string {
  const [top, key] = issue.path;
  const named = top === 'references' && typeof key === 'string';
  const where = named ? `${batchLabel(input)}, reference '${key}'` : batchLabel(input);
  const path = named ? issue.path.slice(2) : issue.path;
  return `${where}: ${path.length > 0 ? `${path.join('.')}: ` : ''}${issue.message}`;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
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
    case 'subject':
      return "the subject's own files";
  }
}
