import type { CohortConfig } from '../config/resolve-config.js';
import { join } from 'node:path';
import type { Executor } from './executor.js';
import type { ExecutorKind } from './executor-kinds.js';
import type { ExecutorFactory } from './executor-set.js';
import { LocalExecutor } from './local/local-executor.js';
import { SgeExecutor } from './sge/sge-executor.js';
import { SlurmExecutor } from './slurm/slurm-executor.js';

/** What the owner of the executors wants to hear of them. */
export interface ExecutorHooks {
  /** An executor that can tell has no task queued or running any more (see LocalExecutorOptions.onIdle). */
  readonly onIdle?: () => void;
}

/**
 * The executors of this installation, by kind: what `cohort` and the server drive. Partitions, queues
 * and extra scheduler words come with each task (its queue), so one executor per kind serves every
 * queue and polls all of its tasks with one scheduler call.
 */
export function executorFactory(config: CohortConfig, hooks: ExecutorHooks = {}): ExecutorFactory {
  return (kind: ExecutorKind): Executor => {
    switch (kind) {
      case 'local':
        return new LocalExecutor(hooks.onIdle === undefined ? {} : { onIdle: hooks.onIdle });
      case 'slurm':
        return new SlurmExecutor({ stateDir: join(config.home, 'slurm') });
      case 'sge':
        return new SgeExecutor({ stateDir: join(config.home, 'sge') });
    }
  };
}
