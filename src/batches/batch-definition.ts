import { invalidInput } from '../errors/cohort-error.js';
import type { JobDefinition, StudyReference } from '../jobs/job-definition.js';
import { batchSchema } from './batch-schema.js';
import { batchLabel, describeIssue } from './batch-labels.js';
import { checkBatchRules } from './check-batch-rules.js';

export const BATCH_LEVELS = ['study', 'subject'] as const;
/** `study`: the batch runs once per selected study; `subject`: once per subject, over its studies. */
export type BatchLevel = (typeof BATCH_LEVELS)[number];

/**
 * A batch: a named, linear series of jobs run for every selected item (study or subject).
 *
 * Example: a subject-level batch with `references: { BASELINE: { kind: 'oldest' } }` whose jobs read
 * `{ kind: 'named', name: 'BASELINE' }` and `{ kind: 'latest' }`.
 */
export interface BatchDefinition {
  readonly name: string;
  readonly level: BatchLevel;
  /** Named study references the jobs can use as `{ kind: 'named', name }`, e.g. `BASELINE`. */
  readonly references?: Readonly<Record<string, StudyReference>>;
  readonly jobs: readonly JobDefinition[];
  /** Default scheduler queue for jobs that name none. */
  readonly queue?: string;
  readonly description?: string;
}

/**
 * Checks untrusted input (an API body, an imported file, a stored row) and returns it as a
 * {@link BatchDefinition}. Every problem is reported at once, each naming the batch, the job and the
 * argument and saying how to fix it, e.g.
 * `subject-level batch 'X', job 'Y', argument 'f1': 'current study' has no meaning for a subject — ...`.
 *
 * @throws CohortError INVALID_INPUT listing the problems (also in `context.problems`).
 */
export function validateBatch(input: unknown): BatchDefinition {
  const parsed = batchSchema.safeParse(input);
  const problems = parsed.success
    ? checkBatchRules(parsed.data)
    : parsed.error.issues.map((issue) => describeIssue(input, issue));
  if (problems.length > 0 || !parsed.success) {
    const label = batchLabel(input);
    throw invalidInput(
      problems.length === 1
        ? `Invalid batch: ${problems[0] ?? ''}`
        : `Invalid batch ${label}, ${problems.length} problems:\n- ${problems.join('\n- ')}`,
      'Correct the batch as each problem says, then save or run it again.',
      { batch: label, problems },
    );
  }
  return parsed.data;
}
