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
 * the job's wrapper, a task's `task.sh` or an array's `array.sh` (cluster-task-files.ts), kept in the
 * task folder to show what ran. The path is a single-quoted word, never unquoted text.
 */
export function batchScript(wrapper: string): string {
  return `#!/bin/bash\nexec /bin/bash ${shellQuote(wrapper)}\n`;
}
