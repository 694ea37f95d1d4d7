import { z } from 'zod';
import { ON_ERROR, SCRIPT_LANGUAGES } from '../jobs/job-definition.js';

/**
 * The structural zod schema of a batch: shapes and types only. The rules that need the whole batch
 * (levels, named references, output paths) live in `validateBatch`, which words its errors for users.
 *
 * Objects are strict: a misspelt key (`refs` for `ref`) is an error instead of silently meaning the
 * default. The job part covers what resolution relies on; `validateJob` (src/jobs) owns the finer
 * job rules once it exists.
 */

const name = z.string().trim().min(1, 'must not be empty');

/** Study references, in the same shape as `StudyReference`. */
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
]);

const argumentSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('FILE'),
      name,
      patterns: z.array(name).min(1, 'give at least one pattern, e.g. t1*/*.nii'),
      ref: studyReferenceSchema,
      multiple: z.boolean().optional(),
      optional: z.boolean().optional(),
    })
    .strict(),
  z
    .object({
      type: z.enum(['OUT', 'PATHOUT']),
      name,
      path: name,
      ref: studyReferenceSchema,
      tags: z.array(name).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('NUMERIC'),
      name,
      value: z.number().finite(),
      min: z.number().optional(),
      max: z.number().optional(),
    })
    .strict(),
  z.object({ type: z.literal('STRING'), name, value: z.string() }).strict(),
  z.object({ type: z.literal('LOGICAL'), name, value: z.boolean() }).strict(),
  z.object({ type: z.literal('OPTION'), name, value: z.string(), choices: z.array(z.string()) }).strict(),
]);

const resourcesSchema = z
  .object({
    cpus: z.number().int().positive().optional(),
    memoryMB: z.number().int().positive().optional(),
    timeMinutes: z.number().int().positive().optional(),
    gpus: z.number().int().min(0).optional(),
    queue: name.optional(),
  })
  .strict();

const jobSchema = z
  .object({
    name,
    language: z.enum(SCRIPT_LANGUAGES).optional(),
    script: z.string().optional(),
    library: name.optional(),
    args: z.array(argumentSchema),
    extraArgs: z.array(z.string()).optional(),
    environment: z.string().optional(),
    options: z
      .object({
        onError: z.enum(ON_ERROR).optional(),
        tagOnSuccess: name.optional(),
        resources: resourcesSchema.optional(),
        keepLogs: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The batch as stored and exported. */
export const batchSchema = z
  .object({
    name,
    level: z.enum(['study', 'subject']),
    references: z.record(studyReferenceSchema).optional(),
    jobs: z.array(jobSchema).min(1, 'a batch needs at least one job'),
    queue: name.optional(),
    description: z.string().optional(),
  })
  .strict();
