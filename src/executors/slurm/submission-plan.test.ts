import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../executor.js';
import { dependencyValue, resourceArgs } from './sbatch-args.js';
import { planSubmission } from '../cluster/submission-plan.js';

const spec = (taskId: string, more: Partial<TaskSpec> = {}): TaskSpec => ({
  taskId,
  argv: ['true'],
  env: {},
  cwd: '/tmp',
  logDir: `/tmp/${taskId}`,
  resources: {},
  after: [],
  ...more,
});
const ok = (id: string) => ({ id, kind: 'ok' as const });

/** subjects x steps, subject-major, step k after step k-1 of the same subject. */
function chain(subjects: number, steps: number, arrayKey: boolean): TaskSpec[] {
  return Array.from({ length: subjects * steps }, (_, i) => {
    const s = Math.floor(i / steps);
    const k = i % steps;
    return spec(`s${s}k${k}`, {
      after: k === 0 ? [] : [ok(`s${s}k${k - 1}`)],
      ...(arrayKey ? { arrayKey: `k${k}` } : {}),
    });
  });
}

describe('planSubmission', () => {
  it('makes one array per step of a chain over subjects, each aftercorr the one before', () => {
    const plan = planSubmission(chain(100, 10, true), 1000);
    expect(plan).toHaveLength(10);
    expect(plan.map((job) => job.members.length)).toEqual(Array(10).fill(100));
    expect(plan[0]).toMatchObject({ after: [] });
    expect(plan[0]!.correspondsTo).toBeUndefined();
    plan.slice(1).forEach((job, k) => expect(job.correspondsTo).toBe(k));
  });

  it('without arrayKey groups only the tasks without dependencies', () => {
    const plan = planSubmission(chain(3, 3, false), 1000);
    expect(plan.map((job) => job.members)).toEqual([[0, 3, 6], [1], [2], [4], [5], [7], [8]]);
    expect(plan[1]!.after).toEqual([{ kind: 'ok', target: { task: 0 } }]);
  });

  it('splits arrays at maxArray and keeps the element-wise chain per chunk', () => {
    const plan = planSubmission(chain(5, 2, true), 2);
    expect(plan.map((job) => job.members.length)).toEqual([2, 2, 2, 2, 1, 1]);
    expect(plan.filter((job) => job.correspondsTo !== undefined)).toHaveLength(2);
  });

  it('gives an array common dependencies when every element waits for the same', () => {
    const specs = [spec('a'), spec('b', { arrayKey: 'x', after: [ok('a'), ok('123')] })];
    specs.push(spec('c', { arrayKey: 'x', after: [ok('123'), ok('a')] }));
    const plan = planSubmission(specs, 1000);
    expect(plan.map((job) => job.members)).toEqual([[0], [1, 2]]);
    expect(plan[1]!.after).toHaveLength(2);
  });

  it('submits single jobs where elements wait for different things', () => {
    const specs = [spec('a'), spec('b'), spec('c', { arrayKey: 'x', after: [ok('a')] })];
    specs.push(spec('d', { arrayKey: 'x', after: [{ id: 'b', kind: 'any' }] }));
    const plan = planSubmission(specs, 1000);
    expect(plan.map((job) => job.members)).toEqual([[0, 1], [2], [3]]);
  });

  it('does not group tasks whose resources differ', () => {
    const specs = [spec('a', { resources: { cpus: 2 } }), spec('b', { resources: { cpus: 4 } })];
    expect(planSubmission(specs, 1000)).toHaveLength(2);
  });
});

describe('sbatch arguments', () => {
  it('maps resources, rounding time up to whole minutes', () => {
    expect(resourceArgs({ cpus: 4, memoryMB: 800.5, timeMinutes: 0.02, gpus: 1, queue: 'long' })).toEqual([
      '--cpus-per-task=4',
      '--mem=801M',
      '--time=1',
      '--gres=gpu:1',
      '--partition=long',
    ]);
    expect(resourceArgs({}, 'debug')).toEqual(['--partition=debug']);
  });

  it('joins dependencies: all of them must hold', () => {
    expect(dependencyValue([ok('1'), ok('2_3'), { id: '4', kind: 'any' }])).toBe('afterok:1:2_3,afterany:4');
    expect(dependencyValue([], '7')).toBe('aftercorr:7');
    expect(dependencyValue([])).toBeUndefined();
  });
});
