import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dependency, TaskSpec, TaskStatus } from '../executors/executor.js';
import { readTaskFiles } from '../engine/task-files.js';
import { unitScript, type UnitStep } from '../engine/unit-script.js';
import type { PlannedUnit } from './plan-units.js';
import type { TaskProvenance } from './provenance.js';
import type { TaskHead } from './store/task-store.js';

/** The executor's spec of a planned unit: one task as it is, or several run in order by one script. */
export function unitSpec(
  unit: PlannedUnit,
  provenance: (taskId: number) => TaskProvenance,
  env: Record<string, string>,
): TaskSpec {
  const first = unit.tasks[0];
  if (first === undefined) throw new Error('a unit without tasks');
  const p = provenance(first.id);
  const resources = p.placement?.resources ?? p.job.options?.resources ?? {};
  const placement = { resources, schedulerArgs: p.placement?.schedulerArgs ?? [] };
  const after: Dependency[] = [...unit.after];
  if (unit.tasks.length === 1) {
    return {
      taskId: unit.key,
      argv: p.argv,
      env,
      cwd: p.cwd,
      logDir: first.log_dir,
      ...placement,
      after,
      // The same job over many items: one array job on a cluster.
      arrayKey: `${first.run_id}:${first.job_index}`,
    };
  }
  const unitDir = join(first.log_dir, '..', `unit-${first.unit.replace(/[^\w.-]+/g, '_')}`);
  mkdirSync(unitDir, { recursive: true });
  const steps: UnitStep[] = unit.tasks.map((t) => {
    const tp = provenance(t.id);
    return {
      logDir: t.log_dir,
      cwd: tp.cwd,
      argv: tp.argv,
      env: tp.env,
      breakOnError: tp.onError === 'break',
      group: t.item,
    };
  });
  const script = join(unitDir, 'unit.sh');
  writeFileSync(script, unitScript(steps));
  return {
    taskId: unit.key,
    argv: ['/bin/sh', script],
    env,
    cwd: unitDir,
    logDir: unitDir,
    ...placement,
    after,
    arrayKey: `${first.run_id}:units`,
  };
}

/** One step's status in a unit that runs several tasks: its own files, and the unit's status. */
export function stepStatus(task: Pick<TaskHead, 'log_dir'>, unit: TaskStatus): TaskStatus {
  const files = readTaskFiles(task.log_dir);
  const unitEnded = unit.state === 'done' || unit.state === 'error' || unit.state === 'killed';
  switch (files.kind) {
    case 'ended': {
      const host = files.host === undefined ? {} : { host: files.host };
      return files.code === 0
        ? { state: 'done', cause: 'exit', exitCode: 0, ...host }
        : { state: 'error', cause: 'exit', exitCode: files.code, reason: `exit code ${files.code}`, ...host };
    }
    case 'skipped':
      return { state: 'error', cause: 'dependency-failed', reason: 'dependency failed' };
    case 'running':
      return unit.state === 'suspended'
        ? { state: 'suspended' }
        : unitEnded
          ? { state: 'killed', cause: unit.cause ?? 'lost', reason: unit.reason ?? 'unit ended' }
          : { state: 'running', startedAt: files.startedAt };
    case 'not-started':
      return unitEnded
        ? unit.reason === undefined
          ? { state: 'error', cause: 'dependency-failed', reason: 'dependency failed' }
          : { state: 'error', cause: unit.cause ?? 'lost', reason: unit.reason }
        : { state: unit.state === 'held' ? 'held' : 'queued' };
  }
}
