import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCommand } from './build-command.js';
import type { JobArgument, JobDefinition } from './job-definition.js';
import { HOSTILE_NAME, pwnedFiles, runTask, tempDir } from './test-fixture.js';

const ref = { kind: 'current' } as const;
const ARGS: JobArgument[] = [
  { type: 'FILE', name: 'f1', patterns: ['*.nii'], ref },
  { type: 'FILE', name: 'f2', patterns: ['*.nii'], ref, multiple: true },
  { type: 'OUT', name: 'o1', path: 'out/result.txt', ref },
  { type: 'STRING', name: 's1', value: '' },
  { type: 'NUMERIC', name: 'n1', value: 0 },
  { type: 'LOGICAL', name: 'flag', value: false },
];
const STRING_VALUE = `it's "quoted" $(touch pwned) \`touch pwned\` $HOME ü\nsecond line\ttab`;

let root: string;
let inputs: string[];
let output: string;

beforeAll(() => {
  root = tempDir('build');
  const study = join(root, `study ${HOSTILE_NAME}`);
  mkdirSync(study);
  inputs = ['1', '2', '3'].map((n) => join(study, `${HOSTILE_NAME} ${n}.nii`));
  for (const file of inputs) writeFileSync(file, 'x');
  output = join(study, `out ${HOSTILE_NAME}`, `result ${HOSTILE_NAME}.txt`);
});

function resolved(): Record<string, string | string[] | number | boolean> {
  return { f1: [inputs[0] ?? ''], f2: inputs, o1: output, s1: STRING_VALUE, n1: 2.5, flag: true };
}

function job(
  language: JobDefinition['language'],
  script: string,
  extra: Partial<JobDefinition> = {},
): JobDefinition {
  return { name: `job ${language}`, language, script, args: ARGS, ...extra };
}

describe('bash jobs', () => {
  it('receive hostile file names and strings exactly, as variables, without running them', async () => {
    const script = [
      '{ printf "%s\\n" "$f1"; printf "%s\\n" "${f2_all[@]}"; printf "%s\\n" "$f2_count" "$s1" "$n1" "$flag"',
      '  printf "%s\\n" "$COHORT_JOB_NAME"; } > "$o1"',
      'echo unquoted $f1 $s1 >/dev/null',
    ].join('\n');
    const workDir = join(root, 'work-bash');
    const command = buildCommand(job('bash', script), resolved(), workDir);
    expect(command.argv).toEqual(['/bin/bash', join(workDir, 'job.sh')]);
    expect(command.mkdirs).toEqual([join(output, '..')]);
    const result = await runTask(command, workDir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const expected = [inputs[0], ...inputs, '3', STRING_VALUE, '2.5', 'true', 'job bash'];
    expect(readFileSync(output, 'utf8')).toBe(`${expected.join('\n')}\n`);
    expect(pwnedFiles(root)).toEqual([]);
  });

  it('runs the environment line first in the same shell, and stops when it fails', async () => {
    const environment = 'export COHORT_T=from-env; greet() { echo "hello $1"; }';
    const ok = buildCommand(
      job('bash', 'greet "$COHORT_T" > "$o1"', { environment }),
      resolved(),
      join(root, 'env'),
    );
    expect((await runTask(ok, join(root, 'env'))).code).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe('hello from-env\n');

    const failing = buildCommand(
      job('bash', 'echo ran', { environment: 'false' }),
      resolved(),
      join(root, 'env2'),
    );
    const result = await runTask(failing, join(root, 'env2'));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('the environment line failed');
  });

  it('does not stop at a failing command (no -e): the exit status of the script counts', async () => {
    const workDir = join(root, 'no-e');
    const result = await runTask(
      buildCommand(job('bash', 'false\necho still here'), resolved(), workDir),
      workDir,
    );
    expect(result).toMatchObject({ code: 0, stdout: 'still here\n' });
    const failing = await runTask(buildCommand(job('bash', 'echo x; exit 3'), resolved(), workDir), workDir);
    expect(failing.code).toBe(3);
  });
});

describe('python jobs', () => {
  it('replace $f1 tokens by variables loaded from args.json, hostile values intact', async () => {
    const script = [
      'import json',
      'with open($o1, "w", encoding="utf-8") as out:',
      '    json.dump({"f1": $f1, "f2": ${f2}, "s1": $s1, "n1": $n1, "flag": flag, "all": sorted(cohort_args)}, out)',
    ].join('\n');
    const workDir = join(root, 'work-python');
    const command = buildCommand(job('python', script), resolved(), workDir);
    const code = command.files.find((f) => f.path.endsWith('job.py'))?.content ?? '';
    expect(code).toContain('with open(o1, "w", encoding="utf-8") as out:');
    expect(code).toContain('"f2": f2,');
    expect(code).not.toContain(HOSTILE_NAME);
    const result = await runTask(command, workDir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(output, 'utf8'))).toEqual({
      f1: inputs[0],
      f2: inputs,
      s1: STRING_VALUE,
      n1: 2.5,
      flag: true,
      all: ['f1', 'f2', 'flag', 'n1', 'o1', 's1'],
    });
    expect(pwnedFiles(root)).toEqual([]);
  });

  it('runs after the environment line, and reports a Python error as a failure', async () => {
    const workDir = join(root, 'python-env');
    const environment = 'export COHORT_T=py-env';
    const script = 'import os\nopen($o1, "w").write(os.environ["COHORT_T"])';
    expect(
      (await runTask(buildCommand(job('python', script, { environment }), resolved(), workDir), workDir))
        .code,
    ).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe('py-env');
    const failing = await runTask(
      buildCommand(job('python', 'raise SystemExit(4)'), resolved(), workDir),
      workDir,
    );
    expect(failing.code).toBe(4);
  });
});

describe('building', () => {
  it('refuses values that do not fit the arguments', () => {
    const bash = job('bash', 'true');
    expect(() => buildCommand(bash, { ...resolved(), n1: 'five' }, '/w')).toThrow(
      "job 'job bash', argument 'n1' (NUMERIC): expected a finite number",
    );
    expect(() => buildCommand(bash, { ...resolved(), f1: ['relative.nii'] }, '/w')).toThrow('absolute paths');
    expect(() => buildCommand(bash, { ...resolved(), s1: 'a\0b' }, '/w')).toThrow('NUL');
    expect(() => buildCommand(bash, { ...resolved(), typo: 1 }, '/w')).toThrow("'typo'");
    const { f1: _dropped, ...withoutF1 } = resolved();
    expect(() => buildCommand(bash, withoutF1, '/w')).toThrow("argument 'f1' (FILE): expected a list");
  });

  it('gives a missing optional FILE as empty', () => {
    const optional: JobDefinition = {
      ...job('bash', 'true'),
      args: [{ type: 'FILE', name: 'f1', patterns: ['x'], ref, optional: true }],
    };
    expect(buildCommand(optional, {}, '/w').env).toMatchObject({ f1: '', f1_count: '0' });
  });
});
