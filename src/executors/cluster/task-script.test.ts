import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TaskSpec } from '../executor.js';
import { readExitRecord } from '../task-folder.js';
import { prepareClusterArray } from './cluster-task-files.js';
import { taskScript, type TaskScriptOptions } from './task-script.js';

// The wrapper run here directly with bash, as a job runs it (the cluster suites run it under Slurm and SGE).
const root = mkdtempSync(join(tmpdir(), 'cohort-wrapper-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let count = 0;

function run(script: string, options: TaskScriptOptions = {}, more: Partial<TaskSpec> = {}): TaskSpec {
  const logDir = join(root, `t${++count}`);
  mkdirSync(logDir);
  const spec: TaskSpec = {
    taskId: `t${count}`,
    argv: ['/bin/sh', '-c', script],
    env: { PATH: '/usr/bin:/bin', ONLY: 'mine' },
    cwd: root,
    logDir,
    resources: {},
    after: [],
    ...more,
  };
  writeFileSync(join(logDir, 'task.sh'), taskScript(spec, options));
  try {
    execFileSync('/bin/bash', [join(logDir, 'task.sh')], {
      env: { SGE_TASK_ID: '3', LEAK: 'x', PATH: process.env.PATH },
    });
  } catch {
    // A failing task fails the wrapper too: the exit record tells.
  }
  return spec;
}
const read = (spec: TaskSpec, name: string): string => readFileSync(join(spec.logDir, name), 'utf8');

describe('cluster task wrapper', () => {
  it('writes the output and the exit record, and gives the task only its environment and the scheduler`s', () => {
    const spec = run('env | sort; echo oops >&2; exit 3');
    const env = read(spec, 'stdout.log').split('\n');
    expect(env).toEqual(expect.arrayContaining(['ONLY=mine', 'PATH=/usr/bin:/bin', 'SGE_TASK_ID=3']));
    expect(env.filter((line) => line.startsWith('LEAK='))).toEqual([]);
    expect(read(spec, 'stderr.log')).toBe('oops\n');
    expect(read(spec, 'exit')).toMatch(/^3 exit \S+ \d+ \d+\n$/);
  });

  it('ends a task at its limit with cause time-limit and code 124, in its own group or not', () => {
    for (const ownProcessGroup of [true, false]) {
      const spec = run('sleep 30', { limitSeconds: 0.3, graceSeconds: 1, ownProcessGroup });
      expect(readExitRecord(spec.logDir)).toMatchObject({ code: 124, cause: 'time-limit' });
    }
  });

  it('runs nothing when an ok dependency did not succeed, and exits 1 for reserved codes', () => {
    const failed = run('exit 99', { reservedExitCodes: [99, 100] });
    expect(readExitRecord(failed.logDir)).toMatchObject({ code: 99, cause: 'exit' });
    const dependent = run('echo ran', { okDependencyDirs: [failed.logDir] });
    expect(readExitRecord(dependent.logDir)).toMatchObject({ code: undefined, cause: 'dependency-failed' });
    expect(read(dependent, 'stdout.log')).toBe('');
  });

  it('tells out of memory by the words in stderr, for a task with a memory limit', () => {
    const options = { outOfMemoryPattern: 'MemoryError|Cannot allocate memory' };
    const spec = run('echo MemoryError >&2; exit 1', options, { resources: { memoryMB: 100 } });
    expect(readExitRecord(spec.logDir)).toMatchObject({ code: 1, cause: 'out-of-memory' });
  });

  it('records could-not-start when the working folder is missing', () => {
    const spec = run('true', {}, { cwd: join(root, 'missing') });
    expect(readExitRecord(spec.logDir)).toMatchObject({ code: 127, cause: 'could-not-start' });
  });
});

describe('array wrapper (one script and one index for all elements)', () => {
  const odd = ["it's", 'a "b" $(touch pwned) `x` \\ \\n', 'line\nbreak\ttab\r', 'ünï 🧠', '*', ''];

  it('runs element i as task i, byte-exact, making its folder itself', () => {
    const home = join(root, 'array home');
    const specs: TaskSpec[] = [0, 1, 2].map((i) => ({
      taskId: `a${i}`,
      argv: ['/usr/bin/printf', '%s\\0', ...odd, String(i)],
      env: { PATH: '/usr/bin:/bin', [`ODD_${i}`]: odd[2]! },
      cwd: root,
      logDir: i === 0 ? home : join(root, `array $(x) ${i}`, 'deep'),
      resources: {},
      after: [],
    }));
    const wrapper = prepareClusterArray(specs, [], { variable: 'SGE_TASK_ID', first: 1 }, {});
    // Only the first task's folder exists before the elements run.
    expect(existsSync(specs[1]!.logDir)).toBe(false);
    for (const i of [3, 1, 2]) {
      execFileSync('/bin/bash', [wrapper], {
        cwd: root,
        env: { SGE_TASK_ID: String(i), PATH: process.env.PATH },
      });
    }
    specs.forEach((spec, i) => {
      expect(read(spec, 'stdout.log').split('\0')).toEqual([...odd, String(i), '']);
      expect(readExitRecord(spec.logDir)).toMatchObject({ code: 0, cause: 'exit' });
    });
    expect(existsSync(join(root, 'pwned'))).toBe(false);
  });

  it('clears an earlier run`s exit record, checks each element`s own ok dependencies, and fails an index past the end', () => {
    const failed = run('exit 2');
    const fine = run('true');
    const specs: TaskSpec[] = [0, 1].map((i) => ({
      taskId: `d${i}`,
      argv: ['/bin/sh', '-c', 'echo ran'],
      env: { PATH: '/usr/bin:/bin' },
      cwd: root,
      logDir: join(root, `dep-array-${i}`),
      resources: {},
      after: [],
    }));
    mkdirSync(specs[1]!.logDir);
    writeFileSync(join(specs[1]!.logDir, 'exit'), '0 exit old 1 2\n');
    const wrapper = prepareClusterArray(
      specs,
      [[failed.logDir], [fine.logDir]],
      { variable: 'SLURM_ARRAY_TASK_ID', first: 0 },
      {},
    );
    const element = (i: number): number => {
      try {
        execFileSync('/bin/bash', [wrapper], { env: { SLURM_ARRAY_TASK_ID: String(i) }, stdio: 'ignore' });
        return 0;
      } catch (error) {
        return (error as { status: number }).status;
      }
    };
    expect([element(0), element(1)]).toEqual([0, 0]);
    expect(readExitRecord(specs[0]!.logDir)).toMatchObject({ cause: 'dependency-failed' });
    expect(readExitRecord(specs[1]!.logDir)).toMatchObject({ code: 0, cause: 'exit' });
    expect(readExitRecord(specs[1]!.logDir)?.host).not.toBe('old');
    expect(read(specs[1]!, 'stdout.log')).toBe('ran\n');
    expect(element(2)).toBe(127);
  });

  it('sets the environment all elements share once, in the wrapper, and each element`s own from its line', () => {
    const specs: TaskSpec[] = [0, 1].map((i) => ({
      taskId: `e${i}`,
      argv: ['/usr/bin/env'],
      env: { PATH: '/usr/bin:/bin', SHARED: "one 'value'\nfor all", OWN: `mine ${i}` },
      cwd: root,
      logDir: join(root, `env-array-${i}`),
      resources: {},
      after: [],
    }));
    const wrapper = prepareClusterArray(specs, [], { variable: 'SLURM_ARRAY_TASK_ID', first: 0 }, {});
    for (const i of [0, 1]) execFileSync('/bin/bash', [wrapper], { env: { SLURM_ARRAY_TASK_ID: String(i) } });
    specs.forEach((spec, i) => {
      const env = read(spec, 'stdout.log');
      expect(env).toContain("SHARED=one 'value'\nfor all\n");
      expect(env).toContain(`OWN=mine ${i}\n`);
    });
    const index = readFileSync(join(specs[0]!.logDir, 'array-tasks'), 'utf8');
    expect(index).not.toContain('SHARED');
    expect(index).toContain('OWN=mine 1');
  });
});
