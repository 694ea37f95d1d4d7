import { z } from 'zod';
import { invalidInput, type CohortError } from '../errors/cohort-error.js';
import { isolationSchema } from './isolation.js';
import { JOB_LEVELS, ON_ERROR, SCRIPT_LANGUAGES, type JobDefinition } from './job-definition.js';
import { jobProblems } from './job-rules.js';
import { normaliseOutArgument } from './out-syntax.js';
import { describeZodIssue } from './zod-issue.js';

/**
 * zod schemas of the job model (job-definition.ts): shapes and types. The rules across fields live in
 * `jobProblems`; `validateJob` runs both and words every problem for users. Objects are strict, so a
 * misspelt key (`refs` for `ref`) is an error instead of silently meaning the default.
 */

const name = z.string().trim().min(1, 'is empty');
const positiveInt = z.number().int('must be a whole number').positive('must be above 0');

/** A study reference, in the shape of `StudyReference`. */
export const studyReferenceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('current') }).strict(),
  z
    .object({
      kind: z.enum(['oldest', 'latest']),
      offset: z.number().int('must be a whole number').min(0, 'must be 0 or more').optional(),
    })
    .strict(),
  z.object({ kind: z.literal('tagged'), tag: name }).strict(),
  z.object({ kind: z.literal('matching'), pattern: name }).strict(),
  z.object({ kind: z.literal('named'), name }).strict(),
  z.object({ kind: z.literal('analysis'), name }).strict(),
  z.object({ kind: z.literal('subject') }).strict(),
]);

/**
 * One argument. FILE patterns and OUT paths may be empty here (a library template or a fresh row in
 * the composer); `jobProblems` insists on them in a job about to run.
 */
export const jobArgumentSchema = z.preprocess(
  normaliseOutArgument,
  z.discriminatedUnion('type', [
    z
      .object({
        type: z.literal('FILE'),
        name,
        patterns: z.array(z.string()),
        ref: studyReferenceSchema,
        multiple: z.boolean().optional(),
        optional: z.boolean().optional(),
        sidecar: z
          .string()
          .regex(/^\.[A-Za-z0-9][A-Za-z0-9.]*$/, 'must be an extension such as .json or .bval')
          .optional(),
      })
      .strict(),
    z
      .object({
        type: z.enum(['OUT', 'PATHOUT']),
        name,
        path: z.string(),
        ref: studyReferenceSchema,
        tags: z.array(z.string()).optional(),
      })
      .strict(),
    z
      .object({
        type: z.literal('NUMERIC'),
        name,
        value: z.number().finite(),
        min: z.number().finite().optional(),
        max: z.number().finite().optional(),
      })
      .strict(),
    z.object({ type: z.literal('STRING'), name, value: z.string() }).strict(),
    z.object({ type: z.literal('LOGICAL'), name, value: z.boolean() }).strict(),
    z.object({ type: z.literal('OPTION'), name, value: z.string(), choices: z.array(z.string()) }).strict(),
  ]),
);

export const resourcesSchema = z
  .object({
    cpus: positiveInt.optional(),
    memoryMB: positiveInt.optional(),
    timeMinutes: positiveInt.optional(),
    gpus: z.number().int('must be a whole number').min(0, 'must be 0 or more').optional(),
    queue: name.optional(),
  })
  .strict();

/** A job as stored in a batch (see `JobDefinition`). */
export const jobSchema = z
  .object({
    name,
    language: z.enum(SCRIPT_LANGUAGES).optional(),
    script: z.string().optional(),
    library: name.optional(),
    level: z.enum(JOB_LEVELS).optional(),
    args: z.array(jobArgumentSchema),
    extraArgs: z.array(z.string()).optional(),
    environment: z.string().optional(),
    options: z
      .object({
        onError: z.enum(ON_ERROR).optional(),
        tagOnSuccess: name.optional(),
        resources: resourcesSchema.optional(),
        keepLogs: z.boolean().optional(),
        isolation: isolationSchema.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** One problem found by {@link validateJobs}, for UIs that mark the offending row. */
export interface JobIssue {
  /** `job 'Brain mask'` or `job 2`. */
  readonly job: string;
  /** `argument 'o1' (OUT)` or `argument 3`, when the problem is one argument's. */
  readonly argument?: string;
  /** What is wrong and how to fix it: "path '../x.nii' leaves the study folder — give a path...". */
  readonly problem: string;
}

/**
 * Checks one job (shape and rules) and returns it typed. `where` prefixes messages, e.g. `batch 'QC'`.
 *
 * @throws CohortError INVALID_INPUT listing every problem, one per line, each naming the job, the
 *   argument, the problem and the fix, e.g. `job 'Brain mask', argument 'o1' (OUT): path '../x.nii'
 *   leaves the study folder — give a path inside the study, e.g. masks/x.nii`. `context.issues`
 *   holds them as {@link JobIssue}s.
 */
export function validateJob(input: unknown, where?: string): JobDefinition {
  const [job] = checkJobs([input], where);
  if (job === undefined) throw new Error('unreachable: one input gives one job');
  return job;
}

/** Checks a list of jobs (e.g. a batch's); like {@link validateJob}, reporting all jobs' problems at once. */
export function validateJobs(input: unknown, where?: string): JobDefinition[] {
  if (!Array.isArray(input)) {
    throw invalidInput(
      `${where === undefined ? '' : `${where}: `}the jobs must be a list — give [ {job}, ... ]`,
    );
  }
  return checkJobs(input, where);
}

function checkJobs(inputs: readonly unknown[], where: string | undefined): JobDefinition[] {
  const issues: JobIssue[] = [];
  const jobs: JobDefinition[] = [];
  inputs.forEach((input, index) => {
    const label = jobLabel(input, index);
    const parsed = jobSchema.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const { argument, problem } = describeZodIssue(input, issue);
        issues.push({ job: label, ...(argument === undefined ? {} : { argument }), problem });
      }
      return;
    }
    const job: JobDefinition = parsed.data;
    for (const { argument, message } of jobProblems(job)) {
      const arg = argument === undefined ? undefined : job.args[argument];
      const argLabel = arg === undefined ? undefined : `argument '${arg.name}' (${arg.type})`;
      issues.push({
        job: label,
        ...(argLabel === undefined ? {} : { argument: argLabel }),
        problem: message,
      });
    }
    jobs.push(job);
  });
  if (issues.length > 0) throw jobError(issues, where);
  return jobs;
}

function jobError(issues: readonly JobIssue[], where: string | undefined): CohortError {
  const lines = issues.map(
    (i) => [where, i.job, i.argument].filter((part) => part !== undefined).join(', ') + `: ${i.problem}`,
  );
  return invalidInput(lines.join('\n'), undefined, { issues });
}

function jobLabel(input: unknown, index: number): string {
  const value =
    typeof input === 'object' && input !== null ? (input as Record<string, unknown>)['name'] : undefined;
  return typeof value === 'string' && value.trim() !== '' ? `job '${value}'` : `job ${index + 1}`;
}
