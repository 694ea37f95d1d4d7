import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CohortConfig } from '../config/resolve-config.js';

/** What a running job learns about itself from its environment. */
export interface TaskContext {
  readonly project: string;
  /** `PID#SID` at study level; `PID` at subject level. */
  readonly item: string;
  readonly study?: string;
  readonly taskId: number;
}

/**
 * The environment of a task: the `cohort` CLI on PATH, with the task's project and study preset so a
 * script can run `cohort add "$o1" --tag mytag`. `COHORT_JOB_PROJECT` pins the CLI to that project:
 * inside a job, no other project is reachable through it.
 */
export function taskEnvironment(config: CohortConfig, context: TaskContext, base: Readonly<Record<string, string>>): Record<string, string> {
  const bin = cohortShimDir(config);
  return {
    ...base,
    PATH: `${bin}:${base.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`,
    COHORT_HOME: config.home,
    COHORT_DB: config.databasePath,
    COHORT_PROJECT: context.project,
    COHORT_JOB_PROJECT: context.project,
    COHORT_ITEM: context.item,
    COHORT_TASK: String(context.taskId),
    ...(context.study === undefined ? {} : { COHORT_STUDY: context.study }),
  };
}

/** A folder holding a `cohort` launcher for this installation; made once per home. */
export function cohortShimDir(config: CohortConfig): string {
  const bin = join(config.home, 'bin');
  const main = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../dist/cli/main.js' : '../cli/main.js', import.meta.url));
  mkdirSync(bin, { recursive: true });
  const shim = join(bin, 'cohort');
  // exec keeps the job's process tree flat; paths are quoted for the shell that reads this file.
  writeFileSync(shim, `#!/bin/sh\nexec '${process.execPath.replace(/'/g, `'\\''`)}' '${main.replace(/'/g, `'\\''`)}' "$@"\n`);
  chmodSync(shim, 0o755);
  return bin;
}
