import { shellQuote } from '../shell-quote.js';

/**
 * The batch script handed to sbatch on stdin (Slurm stores its own copy at submission): it runs the
 * task's wrapper (cluster/task-script.ts), or for an array the wrapper at the element's index. Paths are
 * single-quoted words, never unquoted text.
 */
export function batchScript(taskScripts: readonly string[]): string {
  if (taskScripts.length === 1) return `#!/bin/bash\nexec /bin/bash ${shellQuote(taskScripts[0]!)}\n`;
  return [
    '#!/bin/bash',
    '# A Cohort array job: element i runs the wrapper of the i-th task.',
    'scripts=(',
    ...taskScripts.map((script) => `  ${shellQuote(script)}`),
    ')',
    'exec /bin/bash "${scripts[$SLURM_ARRAY_TASK_ID]}"',
    '',
  ].join('\n');
}
