import { shellQuote } from '../shell-quote.js';

/** How a scheduler names an array element: its variable, and the index of the first element. */
export interface ArrayIndex {
  /** `SLURM_ARRAY_TASK_ID`, `SGE_TASK_ID`. */
  readonly variable: string;
  /** 0 for Slurm (`--array=0-N`), 1 for SGE (`-t 1-N`). */
  readonly first: number;
}

/**
 * The job script handed to the submit command on stdin (the scheduler stores its own copy): it runs
 * the task's wrapper (task-script.ts), or for an array the wrapper of the element's index. Paths are
 * single-quoted words, never unquoted text.
 */
export function batchScript(taskScripts: readonly string[], index: ArrayIndex): string {
  if (taskScripts.length === 1) return `#!/bin/bash\nexec /bin/bash ${shellQuote(taskScripts[0]!)}\n`;
  return [
    '#!/bin/bash',
    '# A Cohort array job: element i runs the wrapper of the i-th task.',
    'scripts=(',
    ...taskScripts.map((script) => `  ${shellQuote(script)}`),
    ')',
    `exec /bin/bash "\${scripts[\${${index.variable}} - ${index.first}]}"`,
    '',
  ].join('\n');
}
