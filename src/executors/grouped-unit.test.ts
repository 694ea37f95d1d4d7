import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { groupedUnitSpec, stepStatus, type StepSpec } from './grouped-unit.js';
import { readTaskFolder, writeExitRecord } from './task-folder.js';

const root = mkdtempSync(join(tmpdir(), 'cohort-grouped-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let count = 0;
const PATH = '/usr/local/bin:/usr/bin:/bin';

/** A step running `script` in sh, its own folder made (as the engine does). */
function step(group: string, script: string, breakOnError = true, args: string[] = []): StepSpec {
  const logDir = join(root, `step-${++count}`);
  mkdirSync(logDir, { recursive: true });
  return {
    taskId: `t${count}`,
    logDir,
    cwd: root,
    argv: ['/bin/sh', '-c', script, 'x', ...args],
    env: { PATH },
    breakOnError,
    group,
  };
}

/** Runs the unit's script as an executor would: its argv, in its cwd. */
function runUnit(steps: StepSpec[]): string {
  const unitDir = join(root, `unit-${++count}`);
  const spec = groupedUnitSpec(
    { taskId: 'u', logDir: unitDir, env: { PATH }, resources: {}, after: [] },
    steps,
  );
  expect(spec).toMatchObject({
    taskId: 'u',
    logDir: unitDir,
    cwd: unitDir,
    argv: ['/bin/sh', join(unitDir, 'unit.sh')],
  });
  execFileSync(spec.argv[0]!, spec.argv.slice(1), { cwd: spec.cwd, env: spec.env });
  return unitDir;
}

describe('groupedUnitSpec', () => {
  it('runs the steps in order, each with its own output, start and exit record, argv byte-exact', () => {
    const nasty = ["it's", '$(touch pwned)', 'a b', 'ü ✓', '', '*'];
    const steps = [step('a', 'printf "%s\\0" "$@"; echo err >&2', true, nasty), step('a', 'exit 3')];
    runUnit(steps);
    expect(readFileSync(join(steps[0]!.logDir, 'stdout.log'), 'utf8').split('\0').slice(0, -1)).toEqual(
      nasty,
    );
    expect(readFileSync(join(steps[0]!.logDir, 'stderr.log'), 'utf8')).toBe('err\n');
    expect(existsSync(join(root, 'pwned'))).toBe(false);
    const done = stepStatus(steps[0]!.logDir, { state: 'done' });
    expect(done).toMatchObject({ state: 'done', cause: 'exit', exitCode: 0 });
    expect(done.startedAt).toBeGreaterThan(Date.now() - 60_000);
    expect(stepStatus(steps[1]!.logDir, { state: 'running' })).toMatchObject({
      state: 'error',
      cause: 'exit',
      exitCode: 3,
      reason: 'exit code 3',
    });
  });

  it('skips the rest of a group after a breaking failure, and only that group', () => {
    const steps = [step('a', 'exit 1'), step('b', 'exit 0'), step('a', 'echo ran'), step('b', 'echo ran')];
    runUnit(steps);
    expect(stepStatus(steps[2]!.logDir, { state: 'done' })).toMatchObject({
      state: 'error',
      cause: 'dependency-failed',
      reason: 'dependency failed',
    });
    expect(readFileSync(join(steps[2]!.logDir, 'exit'), 'utf8')).toMatch(/^- dependency-failed \S+ - \d+\n$/);
    expect(existsSync(join(steps[2]!.logDir, 'stdout.log'))).toBe(false);
    expect(stepStatus(steps[3]!.logDir, { state: 'done' })).toMatchObject({ state: 'done' });
  });

  it('goes on after a failure that does not break its item', () => {
    const steps = [step('a', 'exit 1', false), step('a', 'echo ran')];
    runUnit(steps);
    expect(readFileSync(join(steps[1]!.logDir, 'stdout.log'), 'utf8')).toBe('ran\n');
  });

  it('removes the start and exit of an earlier run in the steps folders', () => {
    const s = step('a', 'exit 0');
    writeExitRecord(s.logDir, { code: 5, cause: 'exit', host: 'h', endedAt: 1000 });
    writeFileSync(join(s.logDir, 'started'), '1\n');
    groupedUnitSpec({ taskId: 'u', logDir: join(root, 'unit-stale'), env: {}, resources: {}, after: [] }, [
      s,
    ]);
    expect(readTaskFolder(s.logDir).kind).toBe('not-started');
  });
});

describe('stepStatus', () => {
  const started = (): string => {
    const s = step('a', 'true');
    writeFileSync(join(s.logDir, 'started'), '1733212800\n');
    return s.logDir;
  };

  it('follows the unit while the step has not started', () => {
    const dir = step('a', 'true').logDir;
    expect(stepStatus(dir, { state: 'queued' })).toEqual({ state: 'queued' });
    expect(stepStatus(dir, { state: 'held' })).toEqual({ state: 'held' });
    expect(stepStatus(dir, { state: 'running' })).toEqual({ state: 'queued' });
    expect(
      stepStatus(dir, { state: 'error', cause: 'dependency-failed', reason: 'dependency failed' }),
    ).toEqual({
      state: 'error',
      cause: 'dependency-failed',
      reason: 'dependency failed',
    });
    expect(stepStatus(dir, { state: 'killed', cause: 'cancelled', reason: 'killed' })).toEqual({
      state: 'error',
      cause: 'cancelled',
      reason: 'killed',
    });
  });

  it('is running from its start, suspended with the unit, and killed when the unit ended first', () => {
    const dir = started();
    expect(stepStatus(dir, { state: 'running' })).toEqual({ state: 'running', startedAt: 1733212800_000 });
    expect(stepStatus(dir, { state: 'suspended' })).toEqual({ state: 'suspended' });
    expect(stepStatus(dir, { state: 'error', cause: 'time-limit', reason: 'time limit' })).toEqual({
      state: 'killed',
      cause: 'time-limit',
      reason: 'time limit',
    });
    expect(stepStatus(dir, { state: 'done', cause: 'exit' })).toEqual({
      state: 'killed',
      cause: 'lost',
      reason: 'unit ended',
    });
  });
});
