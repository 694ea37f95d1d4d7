import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCommand } from './build-command.js';
import type { JobDefinition } from './job-definition.js';
import { matlabString } from './matlab-command.js';
import { HOSTILE_NAME, pwnedFiles, requireTools, runTask, tempDir } from './test-fixture.js';

const ref = { kind: 'current' } as const;
const SCRIPT = `
fid = fopen(output1, 'w');
for i = 1:numel(input1)
  fprintf(fid, '%s\\n', input1{i});
end
fprintf(fid, '%s|%g|%d\\n', label, n1, flag);
fclose(fid);
`;
const JOB: JobDefinition = {
  name: 'MATLAB job',
  language: 'matlab',
  script: SCRIPT,
  args: [
    { type: 'FILE', name: 'input1', patterns: ['*.nii'], ref, multiple: true },
    { type: 'OUT', name: 'output1', path: 'out/list.txt', ref },
    { type: 'STRING', name: 'label', value: '' },
    { type: 'NUMERIC', name: 'n1', value: 0 },
    { type: 'LOGICAL', name: 'flag', value: false },
  ],
};

let root: string;

beforeAll(() => {
  requireTools('octave-cli');
  root = tempDir('matlab');
});

describe('MATLAB literals', () => {
  it('double single quotes and keep non-ASCII; controls become char(n)', () => {
    expect(matlabString("it's")).toBe("'it''s'");
    expect(matlabString('')).toBe("''");
    expect(matlabString('ü 日本')).toBe("'ü 日本'");
    expect(matlabString('a\nb\t')).toBe("['a' char(10) 'b' char(9)]");
  });
});

describe('MATLAB jobs', () => {
  it('run on Octave with input1 (cell array) and output1 (path), hostile names intact', async () => {
    const study = join(root, `study ${HOSTILE_NAME}`);
    mkdirSync(study);
    const inputs = ['1', '2'].map((n) => join(study, `${HOSTILE_NAME} ${n}.nii`));
    const output = join(study, `out ${HOSTILE_NAME}`, `list ${HOSTILE_NAME}.txt`);
    const label = `it's "x" ü`;
    const workDir = join(root, 'work');
    const command = buildCommand(
      JOB,
      { input1: inputs, output1: output, label, n1: 0.25, flag: true },
      workDir,
    );
    const result = await runTask(command, workDir, { PATH: '/usr/bin:/bin' });
    expect(result.stderr).toBe(''); // no Octave exit noise (see matlabLauncher)
    expect(result.code).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe(`${inputs.join('\n')}\n${label}|0.25|1\n`);
    expect(pwnedFiles(root)).toEqual([]);
  });

  it('fail when the code raises an error', async () => {
    const workDir = join(root, 'error');
    const failing = { ...JOB, script: "error('cohort:test', 'broken job');" };
    const command = buildCommand(
      failing,
      { input1: ['/tmp/in.nii'], output1: '/tmp/x', label: '', n1: 1, flag: false },
      workDir,
    );
    const result = await runTask(command, workDir);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('broken job');
    expect(result.stderr).not.toContain('execution_exception');
  });

  it('prefer matlab -batch when matlab is on PATH where the task runs', async () => {
    const bin = join(root, 'fake-bin');
    mkdirSync(bin);
    const log = join(root, 'matlab-args.txt');
    writeFileSync(join(bin, 'matlab'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${log}'\n`);
    chmodSync(join(bin, 'matlab'), 0o755);
    const workDir = join(root, 'with-matlab');
    const command = buildCommand(
      JOB,
      { input1: ['/tmp/in.nii'], output1: '/tmp/x', label: '', n1: 1, flag: false },
      workDir,
    );
    const result = await runTask(command, workDir, { PATH: `${bin}:/usr/bin:/bin` });
    expect(result.code).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe(`-sd\n${workDir}\n-batch\njob\n`);
  });

  it('fail with a hint when neither matlab nor octave-cli is on PATH', async () => {
    const workDir = join(root, 'none');
    const command = buildCommand(
      JOB,
      { input1: ['/tmp/in.nii'], output1: '/tmp/x', label: '', n1: 1, flag: false },
      workDir,
    );
    const result = await runTask(command, workDir, { PATH: join(root, 'empty-path') });
    expect(result.code).toBe(127);
    expect(result.stderr).toContain('needs matlab or octave-cli on PATH');
  });
});
