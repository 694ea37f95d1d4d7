import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskSpec } from '../src/executors/executor.js';

/**
 * The work every runner benchmark compares on: `subjects` items, each a chain of `jobs` trivial jobs
 * (`true`), the next job of an item only after the one before succeeded.
 */

/** The chain as a Snakefile: one output file per subject and job, each rule needing the one before. */
export function chainSnakefile(subjects: number, jobs: number): string {
  return `SUBJECTS = [f"P{i:03d}" for i in range(1, ${subjects + 1})]
rule all:
    input: expand("done/{s}/${jobs - 1}.txt", s=SUBJECTS)
rule first:
    output: "done/{s}/0.txt"
    shell: "true && touch {output}"
rule step:
    input: lambda w: f"done/{w.s}/{int(w.k) - 1}.txt"
    output: "done/{s}/{k}.txt"
    wildcard_constraints: k="[1-9][0-9]*"
    shell: "true && touch {output}"
`;
}

/**
 * The chain as executor tasks, as the engine hands them over: `afterok` on the item's previous job and,
 * with `arrays`, the job as `arrayKey` (one array per job, chained element-wise).
 */
export function chainTaskSpecs(dir: string, subjects: number, jobs: number, arrays: boolean): TaskSpec[] {
  const tasks: TaskSpec[] = [];
  for (let s = 0; s < subjects; s++) {
    for (let k = 0; k < jobs; k++) {
      const logDir = join(dir, `P${s}`, `job${k}`);
      mkdirSync(logDir, { recursive: true });
      tasks.push({
        taskId: `bench-P${s}-j${k}`,
        argv: ['true'],
        env: { PATH: '/usr/bin:/bin' },
        cwd: logDir,
        logDir,
        resources: {},
        after: k === 0 ? [] : [{ id: `bench-P${s}-j${k - 1}`, kind: 'ok' }],
        ...(arrays ? { arrayKey: `job${k}` } : {}),
      });
    }
  }
  return tasks;
}
