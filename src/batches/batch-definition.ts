import { z } from 'zod';
import { isCohortError, invalidInput } from '../errors/cohort-error.js';
import type { JobDefinition, StudyReference } from '../jobs/job-definition.js';
import { jobSchema, studyReferenceSchema, validateJob } from '../jobs/job-schema.js';
import { batchLabel, describeIssue, jobLabel } from './batch-labels.js';
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

const name = z.string().trim().min(1, 'must not be empty');

// The batch's own fields; each job goes through validateJob (src/jobs), which owns the job rules.
// Strict, so a misspelt key (`reference` for `references`) is an error instead of being ignored.
const batchSchema = z
  .object({
    name,
    level: z.enum(BATCH_LEVELS),
    references: z.record(studyReferenceSchema).optional(),
    jobs: z.array(z.unknown()).min(1, 'a batch needs at least one job'),
    queue: name.optional(),
    description: z.string().optional(),
  })
  .strict();

/**
 * Checks untrusted input (an API body, an imported file, a stored row) and returns it as a
 * {@link BatchDefinition}. Every problem is reported at once, each naming the batch, the job and the
 * argument and saying how to fix it, e.g.
 * `subject-level batch 'X', job 'Y', argument 'f1': 'current study' has no meaning for a subject — ...`.
 * Jobs are checked by `validateJob`; the batch adds the rules that need the level and the references.
 *
 * @throws CohortError INVALID_INPUT listing the problems, one per line (also in `context.problems`).
 */
export function validateBatch(input: unknown): BatchDefinition {
  const label = batchLabel(input);
  const parsed = batchSchema.safeParse(input);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => describeIssue(input, issue));
  const jobs: JobDefinition[] = [];
  // Jobs that break only job rules still have a usable shape: the batch rules check them too, so that
  // every problem is reported at once.
  const shaped: JobDefinition[] = [];
  (parsed.success ? parsed.data.jobs : []).forEach((raw, index) => {
    try {
      const job = validateJob(raw, label);
      jobs.push(job);
      shaped.push(job);
    } catch (error) {
      if (!isCohortError(error)) throw error;
      // validateJob sees one job, so it numbers an unnamed one as job 1.
      const unnamed = !jobLabel(raw as Pick<JobDefinition, 'name'> | undefined, index).startsWith("job '");
      problems.push(
        ...error.message
          .split('\n')
          .map((line) => (unnamed ? line.replace(`${label}, job 1:`, `${label}, job ${index + 1}:`) : line)),
      );
      const shape = jobSchema.safeParse(raw);
      if (shape.success) shaped.push(shape.data);
    }
  });
  if (parsed.success) problems.push(...checkBatchRules({ ...parsed.data, jobs: shaped }));
  if (!parsed.success || problems.length > 0) {
    throw invalidInput(
      problems.length === 1
        ? `Invalid batch: ${problems[0] ?? ''}`
        : `Invalid batch ${label}, ${problems.length} problems:\n- ${problems.join('\n- ')}`,
      'Correct the batch as each problem says, then save or run it again.',
      { batch: label, problems },
    );
  }
  return { ...parsed.data, jobs };
}
