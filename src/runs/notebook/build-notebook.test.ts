import { describe, expect, it } from 'vitest';
import type { JobDefinition } from '../../jobs/job-definition.js';
import type { TaskProvenance } from '../provenance.js';
import { buildNotebook } from './build-notebook.js';
import { lineDiff } from './line-diff.js';
import { CELL_TAGS, SCRIPT_MARKER } from './nbformat.js';
import { pythonLiteral } from './python-cells.js';

const ODD = `it's "odd" $(rm -rf x) \\ ü\nnext`;

function provenance(job: JobDefinition, args: Record<string, unknown>): TaskProvenance {
  return {
    job,
    arguments: args,
    argv: ['/bin/true'],
    env: { COHORT_PROJECT: 'demo', COHORT_ITEM: 'P1#S1', COHORT_TOKEN: 'secret', COHORT_JOB_NAME: job.name },
    cwd: '/runs/1/task-1',
    onError: 'break',
    outputs: [],
    studyRef: 'P1#S1',
    tagOnSuccess: 'checked',
  };
}

const ARGS: JobDefinition['args'] = [
  { type: 'FILE', name: 'f1', patterns: ['t1/*.nii'], ref: { kind: 'current' }, multiple: true },
  { type: 'OUT', name: 'o1', path: 'out/x.nii', ref: { kind: 'current' }, tags: ['mask', "it's"] },
  { type: 'STRING', name: 's1', value: '' },
  { type: 'NUMERIC', name: 'n1', value: 0 },
  { type: 'LOGICAL', name: 'l1', value: true },
];
const VALUES = { f1: ['/d/a b.nii', `/d/${ODD}.nii`], o1: `/d/out/${ODD}.nii`, s1: ODD, n1: 1e-7, l1: true };

describe('buildNotebook', () => {
  it('makes an nbformat 4.5 notebook: title, setup tagged parameters, job, register', () => {
    const job: JobDefinition = { name: 'Py', language: 'python', script: 'print($f1, ${s1})', args: ARGS };
    const nb = buildNotebook(provenance(job, VALUES), { item: 'P1#S1', sourceTask: 7 });
    expect([nb.nbformat, nb.nbformat_minor]).toEqual([4, 5]);
    expect(nb.metadata.kernelspec.name).toBe('python3');
    expect(nb.cells.map((c) => c.id)).toEqual([
      'cohort-title',
      'cohort-setup',
      'cohort-job',
      'cohort-register',
    ]);
    const [, setup, code, register] = nb.cells;
    expect(setup?.metadata.tags).toEqual([CELL_TAGS.parameters, CELL_TAGS.setup]);
    // Values as literals, never pasted: the odd string appears only JSON-escaped.
    expect(setup?.source).toContain(`s1 = ${JSON.stringify(ODD)}`);
    expect(setup?.source).toContain('n1 = 1e-7');
    expect(setup?.source).toContain('l1 = True');
    expect(setup?.source).toContain(`f1 = ["/d/a b.nii", ${JSON.stringify(`/d/${ODD}.nii`)}]`);
    expect(setup?.source).toContain('"COHORT_ITEM": "P1#S1"');
    // The run's credential stays out of a file the user may share.
    expect(setup?.source).not.toContain('secret');
    expect(code?.source).toBe(`# ${SCRIPT_MARKER}\nprint(f1, s1)`);
    expect(register?.source).toContain(`_cohort_add(o1, ["mask", "it's"], False)`);
    expect(register?.source).toContain('"tag", "add", "checked", "P1#S1"');
  });

  it('puts a BASH job into a %%bash cell with the arrays its preamble makes', () => {
    const job: JobDefinition = {
      name: 'Sh',
      language: 'bash',
      script: 'ls "${f1_all[@]}" > "$o1"',
      args: ARGS,
    };
    const nb = buildNotebook(provenance(job, VALUES), { item: 'P1#S1' });
    const code = nb.cells[2]?.source ?? '';
    expect(code.split('\n')[0]).toBe('%%bash');
    expect(code).toContain('f1_all+=("${!cohort_v}")');
    expect(code.endsWith(`# ${SCRIPT_MARKER}\nls "\${f1_all[@]}" > "$o1"`)).toBe(true);
    expect(nb.cells[0]?.source).toContain('before any run');
  });

  it('makes an Octave notebook for a MATLAB job, quotes doubled', () => {
    const job: JobDefinition = { name: 'M', language: 'matlab', script: 'disp(s1)', args: ARGS };
    const nb = buildNotebook(provenance(job, VALUES), { item: 'P1#S1' });
    expect(nb.metadata.kernelspec.name).toBe('octave');
    const setup = nb.cells[1]?.source ?? '';
    expect(setup).toContain(`s1 = ['it''s "odd" $(rm -rf x) \\ ü' char(10) 'next'];`);
    expect(setup).toContain("setenv('COHORT_PROJECT', 'demo');");
    expect(setup).toContain('[~, ~] = mkdir(fileparts(o1));');
    expect(nb.cells[3]?.source).toContain(
      `cohort_run(['cohort add ' cohort_q(o1) ' --tag ' cohort_q('mask') ' --tag ' cohort_q('it''s')]);`,
    );
  });

  it('refuses values that no longer fit the job', () => {
    const job: JobDefinition = { name: 'Py', language: 'python', script: '', args: ARGS };
    expect(() => buildNotebook(provenance(job, { ...VALUES, n1: 'x' }), { item: 'P1#S1' })).toThrow(
      /argument 'n1' \(NUMERIC\): expected a finite number/,
    );
  });
});

describe('pythonLiteral and lineDiff', () => {
  it('writes Python literals', () => {
    expect(pythonLiteral([null, false, 'a"b', 2])).toBe('[None, False, "a\\"b", 2]');
  });
  it('diffs by lines', () => {
    expect(lineDiff('a\nb\nc\n', 'a\nx\nc\nd\n')).toBe(' a\n-b\n+x\n c\n+d');
    expect(lineDiff('same', 'same')).toBe(' same');
  });
});
