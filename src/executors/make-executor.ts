import type { CohortConfig } from '../config/resolve-config.js';
import { CohortError } from '../errors/cohort-error.js';
import type { Executor } from './executor.js';
import type { ExecutorKind } from './executor-kinds.js';
import type { ExecutorFactory } from './executor-set.js';
import { LocalExecutor } from './local/local-executor.js';
import { SlurmExecutor } from './slurm/slurm-executor.js';

/**
 * The executors of this installation, by kind: what `cohort` and the server drive. Partitions, queues
 * and extra scheduler words come with each task (its queue), so one executor per kind serves every
 * queue and polls all of its tasks with one scheduler call.
 */
export function executorFactory(_config: CohortConfig): ExecutorFactory {
  return (kind: ExecutorKind): Executor => {
    switch (kind) {
      case 'local':
        return new LocalExecutor({});
      case 'slurm':
        return new SlurmExecutor();
      case 'sge':
        throw new CohortError('NOT_AVAILABLE', `The ${kind} executor is not built into this version.`, {
          hint: 'Use a local queue.',
        });
    }
  };
}
