import { accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { invalidInput } from '../errors/cohort-error.js';
import { isolatedArgv, ISOLATION_PROGRAMS } from '../executors/index.js';
import type { Placement } from '../queues/place-job.js';
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

/**
 * For jobs placed on this machine: the sandbox's or container's program must be on the tasks' PATH,
 * else every task would fail with `bwrap: not found`. Checked once per run, before any task is made.
 * (A cluster node has its own programs: there the task's stderr tells.)
 *
 * @throws CohortError INVALID_INPUT naming the job, the program and how to get it.
 */
export function assertIsolationProgram(job: string, placement: Placement, path: string): void {
  const kind = placement.isolation?.kind ?? 'none';
  if (kind === 'none' || placement.engine !== 'local') return;
  const program = ISOLATION_PROGRAMS[kind];
  const found = path
    .split(':')
    .filter((dir) => dir !== '')
    .some((dir) => {
      try {
        accessSync(join(dir, program), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  if (!found) {
    throw invalidInput(
      `Job '${job}' runs in ${kind === 'sandbox' ? 'a sandbox' : `a container (${kind})`}, but ${program} is not installed here (not on PATH).`,
      kind === 'sandbox'
        ? 'Install bubblewrap (Debian: apt-get install bubblewrap), or run the job without isolation.'
        : `Install ${kind} (Debian: apt-get install ${kind}), or choose another isolation for the job or its queue.`,
      { job, program },
    );
  }
}
