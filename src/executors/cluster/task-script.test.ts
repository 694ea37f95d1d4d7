import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TaskSpec } from '../executor.js';
import { readExitRecord } from '../task-folder.js';
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
