import { dirname } from 'node:path';
import { isolatedArgv } from '../executors/index.js';
import type { TaskProvenance } from './provenance.js';

/**
 * A task's command in its isolation (the placement's: the job's own, else its queue's): its FILE
 * inputs read-only, its OUT folders, PATHOUT folders and task folder writable. `env` is the
 * environment the task starts with. Used by the unit spec for every task of every executor.
 */
export function isolatedCommand(p: TaskProvenance, env: Readonly<Record<string, string>>): string[] {
  const isolation = p.placement?.isolation;
  if (isolation === undefined || isolation.kind === 'none') return [...p.argv];
  const inputs = p.job.args.flatMap((arg) => {
    if (arg.type !== 'FILE') return [];
    const value = p.arguments[arg.name];
    return (Array.isArray(value) ? value : [value]).filter(
      (v): v is string => typeof v === 'string' && v !== '',
    );
  });
  return isolatedArgv(isolation, p.argv, {
    cwd: p.cwd,
    readOnly: inputs,
    writable: p.outputs.map((o) => (o.kind === 'OUT' ? dirname(o.path) : o.path)),
    envNames: Object.keys(env),
  });
}
