import { invalidInput } from '../../errors/cohort-error.js';
import type { TaskSpec } from '../executor.js';
import { validateTaskSpec } from '../local/validate-task-spec.js';

/**
 * The local executor's checks (validateTaskSpec) plus what the cluster wrapper (taskScript) needs: a
 * program name without `=` (env(1) would take it for a variable) and absolute folders (the job starts
 * elsewhere, on a compute node).
 */
export function validateClusterTask(spec: TaskSpec): void {
  validateTaskSpec(spec);
  const context = { taskId: spec.taskId };
  if (spec.argv[0]?.includes('=')) {
    throw invalidInput(
      `Program name '${spec.argv[0]}' contains '='`,
      'Rename the program or wrap it in a script',
      context,
    );
  }
  for (const [what, path] of [
    ['logDir', spec.logDir],
    ['cwd', spec.cwd],
  ] as const) {
    if (!path.startsWith('/')) {
      throw invalidInput(
        `${what} must be an absolute path, got '${path}'`,
        'Give the full path on the shared filesystem',
        context,
      );
    }
  }
}
