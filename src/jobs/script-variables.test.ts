import { describe, expect, it } from 'vitest';
import type { JobDefinition } from './job-definition.js';
import { scriptVariables, syncArguments, usesArgument } from './script-variables.js';

describe('scriptVariables', () => {
  it('finds BASH variables, sorted by type then number, without duplicates', () => {
    const script = 'bet $f2 ${o1} -f $n1\nfslmaths $f1 -add $f2 $p1/x ${s1:-default} ${#f10} $o1';
    expect(scriptVariables('bash', script)).toEqual([
      { name: 'f1', type: 'FILE' },
      { name: 'f2', type: 'FILE' },
      { name: 'f10', type: 'FILE' },
      { name: 'o1', type: 'OUT' },
      { name: 'p1', type: 'PATHOUT' },
      { name: 's1', type: 'STRING' },
      { name: 'n1', type: 'NUMERIC' },
    ]);
  });

  it('ignores other variables, escaped dollars and $f0', () => {
    expect(scriptVariables('bash', 'echo $f1x $HOME \\$f2 $f0 $o $fo1 ${file}')).toEqual([]);
  });

  it('finds the same tokens in Python', () => {
    expect(scriptVariables('python', 'img = nib.load($f1)\nnib.save(img, ${o2})')).toEqual([
      { name: 'f1', type: 'FILE' },
      { name: 'o2', type: 'OUT' },
    ]);
  });

  it('finds MATLAB input1..N and output1..N as whole words', () => {
    const script = 'v = spm_vol(input2{1});\nspm_write(output1, input1);\ns.input3 = 1; myinput4 = 2;';
    expect(scriptVariables('matlab', script)).toEqual([
      { name: 'input1', type: 'FILE' },
      { name: 'input2', type: 'FILE' },
      { name: 'output1', type: 'OUT' },
    ]);
  });
});

describe('usesArgument', () => {
  it('knows how each language refers to an argument', () => {
    expect(usesArgument('bash', 'echo "${threshold}"', 'threshold')).toBe(true);
    expect(usesArgument('bash', 'echo threshold', 'threshold')).toBe(false);
    expect(usesArgument('python', 'print(threshold)', 'threshold')).toBe(true);
    expect(usesArgument('python', 'print(x.threshold)', 'threshold')).toBe(false);
    expect(usesArgument('matlab', 'disp(threshold)', 'threshold')).toBe(true);
  });
});

describe('syncArguments', () => {
  const job: JobDefinition = {
    name: 'Brain mask',
    language: 'bash',
    script: 'bet "$f1" "$o1" -f "$n1"',
    args: [
      { type: 'FILE', name: 'f1', patterns: ['t1*/*.nii'], ref: { kind: 'current' } },
      { type: 'STRING', name: 's1', value: 'old' },
    ],
  };

  it('adds empty rows for new variables and reports rows no longer used', () => {
    const synced = syncArguments(job);
    expect(synced.added).toEqual(['o1', 'n1']);
    expect(synced.unused).toEqual(['s1']);
    expect(synced.job.args).toEqual([
      ...job.args,
      { type: 'OUT', name: 'o1', path: '', ref: { kind: 'current' } },
      { type: 'NUMERIC', name: 'n1', value: 0 },
    ]);
  });

  it('leaves library jobs alone', () => {
    const library: JobDefinition = { name: 'Smooth', library: 'image/smooth', args: [] };
    expect(syncArguments(library)).toEqual({ job: library, added: [], unused: [] });
  });
});
