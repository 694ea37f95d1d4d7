import { describe, expect, it } from 'vitest';
import { CohortError } from '../errors/cohort-error.js';
import { validateJob, validateJobs } from './job-schema.js';

const ref = { kind: 'current' };
const valid = {
  name: 'Brain mask',
  language: 'bash',
  script: 'bet "$f1" "$o1" -f "$n1"',
  args: [
    { type: 'FILE', name: 'f1', patterns: ['t1*/*.nii'], ref },
    { type: 'OUT', name: 'o1', path: 'masks/brain.nii', ref, tags: ['mask'] },
    { type: 'NUMERIC', name: 'n1', value: 0.5, min: 0, max: 1 },
  ],
  options: { onError: 'continue', tagOnSuccess: 'masked', resources: { cpus: 2 } },
};

/** The message of the CohortError that validating `input` throws. */
function problems(input: unknown, where?: string): string {
  try {
    validateJob(input, where);
  } catch (error) {
    expect(error).toBeInstanceOf(CohortError);
    expect((error as CohortError).code).toBe('INVALID_INPUT');
    return (error as CohortError).message;
  }
  throw new Error('expected the job to be refused');
}

function withArg(index: number, changes: Record<string, unknown>): unknown {
  return { ...valid, args: valid.args.map((arg, i) => (i === index ? { ...arg, ...changes } : arg)) };
}

describe('validateJob', () => {
  it('accepts a valid job and returns it typed', () => {
    expect(validateJob(valid)).toEqual(valid);
  });

  it('names the job, the argument, the problem and the fix for an output leaving the study', () => {
    expect(problems(withArg(1, { path: '../x.nii' }))).toBe(
      "job 'Brain mask', argument 'o1' (OUT): path '../x.nii' leaves the study folder — " +
        'give a path inside the study, e.g. masks/x.nii',
    );
  });

  it.each([
    ['/abs/x.nii', "path '/abs/x.nii' is absolute"],
    ['masks/*.nii', "path 'masks/*.nii' contains a wildcard (* or ?)"],
    ['masks/a\0.nii', "path 'masks/a\\u0000.nii' contains a control character"],
    ['', 'has no path'],
    ['masks/', "path 'masks/' names a folder, but an OUT is a file — add a file name, or make it a PATHOUT"],
    ['.', "path '.' is the study folder itself"],
  ])('refuses the output path %j', (path, message) => {
    expect(problems(withArg(1, { path }))).toContain(`job 'Brain mask', argument 'o1' (OUT): ${message}`);
  });

  it('checks FILE patterns, NUMERIC ranges, OPTION choices and STRING values', () => {
    expect(problems(withArg(0, { patterns: [] }))).toContain(
      "argument 'f1' (FILE): has no pattern — give at least one pattern",
    );
    expect(problems(withArg(0, { patterns: [' '] }))).toContain('has no pattern');
    expect(problems(withArg(2, { value: 3 }))).toContain(
      "argument 'n1' (NUMERIC): value 3 is above the maximum 1 — give a value from 0 to 1",
    );
    const option = { type: 'OPTION', name: 'interp', value: 'cubic', choices: ['linear', 'nearest'] };
    expect(problems({ ...valid, args: [...valid.args, option] })).toContain(
      "argument 'interp' (OPTION): value 'cubic' is not one of the choices (linear, nearest) — choose one of them",
    );
    const text = { type: 'STRING', name: 'label', value: 'a\0b' };
    expect(problems({ ...valid, args: [...valid.args, text] })).toContain(
      "argument 'label' (STRING): the value contains a NUL",
    );
  });

  it('wants argument names unique and usable as variables', () => {
    const duplicate = { type: 'FILE', name: 'f1', patterns: ['x'], ref };
    expect(problems({ ...valid, args: [...valid.args, duplicate] })).toContain(
      "argument 'f1' (FILE): the job has two arguments named 'f1' — rename one",
    );
    expect(problems(withArg(2, { name: 'PATH' }))).toContain('is not a plain lower-case identifier');
    expect(problems(withArg(2, { name: 'class' }))).toContain('is a keyword');
  });

  it('wants exactly one of script (with language) or library', () => {
    expect(problems({ ...valid, library: 'image/smooth' })).toContain(
      'has both a script and the library job',
    );
    const { language: _l, script: _s, ...neither } = valid;
    expect(problems(neither)).toContain('has neither a script nor a library job');
    const { language: _language, ...noLanguage } = valid;
    expect(problems(noLanguage)).toContain(
      'has a script but no language — set language to bash, python or matlab',
    );
    expect(validateJob({ name: 'Smooth', library: 'image/smooth', args: [] }).library).toBe('image/smooth');
  });

  it('matches script variables and arguments', () => {
    expect(problems({ ...valid, script: 'bet "$f1" "$o1" -f "$n1" "$f2"' })).toBe(
      "job 'Brain mask': the script uses $f2 but the job has no argument 'f2' — " +
        'add a FILE argument named f2, or remove $f2 from the script',
    );
    expect(problems(withArg(1, { type: 'PATHOUT' }))).toContain(
      "argument 'o1' (PATHOUT): by its name it should have type OUT, but has type PATHOUT — change its type",
    );
  });

  it('checks tags with the catalog rules', () => {
    expect(problems(withArg(1, { tags: ['bad tag'] }))).toContain(
      "argument 'o1' (OUT): Invalid tag 'bad tag' — Tags are",
    );
    expect(problems({ ...valid, options: { tagOnSuccess: 'a:b' } })).toContain(
      "tagOnSuccess: Invalid tag 'a:b'",
    );
  });

  it('words shape errors with the argument, the field and an example', () => {
    expect(problems(withArg(1, { path: undefined }))).toContain(
      "argument 'o1' (OUT): field 'path' is missing — e.g. \"masks/brain.nii\"",
    );
    expect(problems(withArg(0, { refs: ref }))).toContain(
      "argument 'f1' (FILE): unknown field 'refs' in the argument",
    );
    expect(problems(withArg(0, { type: 'INPUT' }))).toContain(
      "argument 'f1': field 'type' must be one of FILE, OUT, PATHOUT, NUMERIC, STRING, LOGICAL, OPTION",
    );
    expect(problems({ ...valid, name: '' })).toContain("job 1: field 'name' is empty");
    expect(problems('not a job', "batch 'QC'")).toBe(
      "batch 'QC', job 1: the job must be an object, not a string",
    );
  });

  it('reports every problem, one per line, with a structured copy in context', () => {
    try {
      validateJob(withArg(1, { path: '../x.nii', tags: ['bad tag'] }));
      expect.unreachable();
    } catch (error) {
      const cohortError = error as CohortError;
      expect(cohortError.message.split('\n')).toHaveLength(2);
      expect(cohortError.context['issues']).toEqual([
        {
          job: "job 'Brain mask'",
          argument: "argument 'o1' (OUT)",
          problem: expect.stringContaining('leaves'),
        },
        { job: "job 'Brain mask'", argument: "argument 'o1' (OUT)", problem: expect.stringContaining('tag') },
      ]);
    }
  });
});

describe('validateJobs', () => {
  it('names jobs by name or by position', () => {
    const unnamed = { ...valid, name: ' ', args: [] };
    expect(() => validateJobs([valid, unnamed])).toThrow(/^job 2: field 'name' is empty/);
    expect(validateJobs([valid, valid])).toHaveLength(2);
    expect(() => validateJobs({})).toThrow('the jobs must be a list');
  });
});

describe("the manual's OUT syntax", () => {
  it('parses `path TAG(t)` into the path and its tags, several tags and forms alike', () => {
    const job = validateJob({
      ...valid,
      script: 'cp "$f1" "$o1" "$o2"',
      args: [
        valid.args[0],
        { type: 'OUT', name: 'o1', path: 'x/out.nii TAG(mytag)', ref },
        { type: 'OUT', name: 'o2', path: 'x/my file.nii TAG(a, b) TAG(c)', ref, tags: ['a'] },
      ],
    });
    expect(job.args[1]).toEqual({ type: 'OUT', name: 'o1', path: 'x/out.nii', ref, tags: ['mytag'] });
    expect(job.args[2]).toMatchObject({ path: 'x/my file.nii', tags: ['a', 'b', 'c'] });
  });

  it('refuses a TAG(...) that is not at the end, or a path padded with spaces, saying how to write it', () => {
    const bad = (path: string) => () =>
      validateJob({
        ...valid,
        script: 'cp "$f1" "$o1"',
        args: [valid.args[0], { type: 'OUT', name: 'o1', path, ref }],
      });
    expect(bad('x/out.nii TAG(a) more')).toThrow(
      /holds a TAG\(\.\.\.\) that is not at its end — write the path, then TAG/,
    );
    expect(bad('x/out.nii TAG(a')).toThrow(/TAG\(\.\.\.\) that is not at its end/);
    expect(bad('x/out.nii ')).toThrow(/ends with a space/);
  });
});
