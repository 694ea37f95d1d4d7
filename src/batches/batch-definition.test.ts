import { describe, expect, it } from 'vitest';
import { isCohortError } from '../errors/cohort-error.js';
import type { JobArgument, StudyReference } from '../jobs/job-definition.js';
import { validateBatch, type BatchDefinition } from './batch-definition.js';
import { LONGITUDINAL_BATCH } from './longitudinal-batch.js';

function batch(
  level: 'study' | 'subject',
  args: readonly JobArgument[],
  references?: Record<string, StudyReference>,
): BatchDefinition {
  return { name: 'X', level, references, jobs: [{ name: 'Y', language: 'bash', script: 'true', args }] };
}

function file(ref: StudyReference, patterns: readonly string[] = ['t1*/*.nii']): JobArgument {
  return { type: 'FILE', name: 'f1', patterns, ref };
}

function problemsOf(input: unknown): string[] {
  try {
    validateBatch(input);
  } catch (error) {
    if (!isCohortError(error)) throw error;
    expect(error.code).toBe('INVALID_INPUT');
    return error.context['problems'] as string[];
  }
  throw new Error('expected validateBatch to throw');
}

describe('validateBatch', () => {
  it('accepts the longitudinal example and returns it unchanged', () => {
    expect(validateBatch(LONGITUDINAL_BATCH)).toEqual(LONGITUDINAL_BATCH);
  });

  it('accepts oldest, latest and current at study level', () => {
    expect(() => validateBatch(batch('study', [file({ kind: 'oldest' })]))).not.toThrow();
    expect(() => validateBatch(batch('study', [file({ kind: 'current' })]))).not.toThrow();
  });

  it('rejects the current study at subject level, naming batch, job, argument and the fix', () => {
    expect(problemsOf(batch('subject', [file({ kind: 'current' })]))).toEqual([
      "subject-level batch 'X', job 'Y', argument 'f1': 'current study' has no meaning for a subject — " +
        'choose oldest, latest, a tag or a named reference',
    ]);
  });

  it('rejects a named reference the batch does not define, listing those it does', () => {
    const [problem] = problemsOf(
      batch('subject', [file({ kind: 'named', name: 'BASELIN' })], { BASELINE: { kind: 'oldest' } }),
    );
    expect(problem).toContain(
      "argument 'f1': reference 'BASELIN' is not defined by the batch (defined: BASELINE)",
    );
  });

  it('rejects cycles among named references and current as a subject-level reference', () => {
    const problems = problemsOf(
      batch('subject', [file({ kind: 'named', name: 'A' })], {
        A: { kind: 'named', name: 'B' },
        B: { kind: 'named', name: 'A' },
        C: { kind: 'current' },
      }),
    );
    expect(problems).toContainEqual(expect.stringContaining('references A → B → A form a cycle'));
    expect(problems).toContainEqual(expect.stringContaining("reference 'C': 'current study' has no meaning"));
  });

  it.each([
    ['../other/x.nii', 'leaves the study folder'],
    ['/etc/passwd', 'is absolute'],
    ['masks/*.nii', 'contains a wildcard'],
  ])('rejects the output path %s (a job rule of validateJob)', (path, problem) => {
    const [message] = problemsOf(
      batch('study', [{ type: 'OUT', name: 'o1', path, ref: { kind: 'current' } }]),
    );
    expect(message).toContain(`job 'Y', argument 'o1' (OUT): path '${path}' ${problem}`);
  });

  it('reports job and batch problems together, numbering unnamed jobs by position', () => {
    const problems = problemsOf({
      name: 'X',
      level: 'subject',
      references: { 'bad name': { kind: 'latest' } },
      jobs: [
        {
          name: 'Y',
          library: 'fsl/bet',
          args: [
            { type: 'FILE', name: 'f1', patterns: ['t1/*.nii'], ref: { kind: 'oldest', offset: -1 } },
            { type: 'FILE', name: 'f2', patterns: ['a/*.nii'], refs: { kind: 'latest' } },
            { type: 'FILE', name: 'f3', patterns: ['a/*.nii'], ref: { kind: 'current' } },
          ],
        },
        { args: [] },
      ],
    });
    expect(problems).toEqual([
      "subject-level batch 'X', job 'Y', argument 'f1' (FILE): field 'ref.offset' must be 0 or more",
      expect.stringContaining("argument 'f2' (FILE): field 'ref' is missing"),
      expect.stringContaining("argument 'f2' (FILE): unknown field 'refs'"),
      expect.stringMatching(/^subject-level batch 'X', job 2: field 'name' is missing/),
      "subject-level batch 'X', reference 'bad name': use letters, digits and _ starting with a letter, e.g. BASELINE",
    ]);
  });

  it('checks the batch rules also in jobs that break job rules', () => {
    const problems = problemsOf(
      batch('subject', [
        file({ kind: 'current' }, ['/data/x.nii']),
        { type: 'OUT', name: 'o1', path: 'x.nii', ref: { kind: 'analysis', name: '../models' } },
      ]),
    );
    expect(problems).toEqual([
      expect.stringContaining("argument 'f1' (FILE): pattern 1 '/data/x.nii' is absolute"),
      expect.stringContaining("argument 'f1': 'current study' has no meaning for a subject"),
      expect.stringContaining("argument 'o1': analysis folder name '../models' must be a plain folder name"),
    ]);
  });

  it('describes input that is no batch at all', () => {
    expect(problemsOf(42)).toEqual([expect.stringMatching(/^batch \(unnamed\): /)]);
    expect(problemsOf({ name: 'X', level: 'study', jobs: [] })).toEqual([
      "study-level batch 'X': jobs: a batch needs at least one job",
    ]);
  });
});
