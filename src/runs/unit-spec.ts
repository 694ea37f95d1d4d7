import { join } from 'node:path';
import { groupedUnitSpec, taskEnvironment, type StepSpec, type TaskSpec } from '../executors/index.js';
import type { PlannedUnit } from './plan-units.js';
import { isolatedCommand } from './isolated-command.js';
import type { TaskProvenance } from './provenance.js';

/**
 * The executor's spec of a planned unit: one task as it is, or several run in order by the executors'
 * grouped-unit capability (run modes per-item, single, n-units). Each command runs in its isolation
 * (sandbox or container, isolated-command.ts): here, so that every executor runs it the same way.
 */
export function unitSpec(
  unit: PlannedUnit,
  provenance: (taskId: number) => TaskProvenance,
  environment: Pick<TaskSpec, 'env' | 'sharedEnv'>,
): TaskSpec {
  const first = unit.tasks[0];
  if (first === undefined) throw new Error('a unit without tasks');
  const p = provenance(first.id);
  const resources = p.placement?.resources ?? p.job.options?.resources ?? {};
  const placement = { resources, schedulerArgs: p.placement?.schedulerArgs ?? [] };
  // A sandbox or container passes the names of the whole environment on: only then is it put together.
  const isolated = (p.placement?.isolation?.kind ?? 'none') !== 'none';
  if (unit.tasks.length === 1) {
    return {
      taskId: unit.key,
      argv: isolatedCommand(p, isolated ? taskEnvironment(environment) : environment.env),
      ...environment,
      cwd: p.cwd,
      logDir: first.log_dir,
      ...placement,
      after: unit.after,
      // The same job over many items: one array job on a cluster.
      arrayKey: `${first.run_id}:${first.job_index}`,
    };
  }
  const steps: StepSpec[] = unit.tasks.map((t) => {
    const tp = provenance(t.id);
    return {
      taskId: `task-${t.id}`,
      logDir: t.log_dir,
      cwd: tp.cwd,
      argv: isolatedCommand(tp, tp.env),
      env: tp.env,
      breakOnError: tp.onError === 'break',
      group: t.item,
    };
  });
  const logDir = join(first.log_dir, '..', `unit-${first.unit.replace(/[^\w.-]+/g, '_')}`);
  return groupedUnitSpec(
    {
      taskId: unit.key,
      logDir,
      env: { ...taskEnvironment(environment) },
      ...placement,
      after: unit.after,
      arrayKey: `${first.run_id}:units`,
    },
    steps,
  );
}
