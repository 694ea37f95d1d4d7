import { CohortError } from '../errors/cohort-error.js';
import type { Executor } from './executor.js';
import type { ExecutorKind } from './executor-kinds.js';

/** Makes the executor of an engine kind; called at most once per kind and set. */
export type ExecutorFactory = (kind: ExecutorKind) => Executor;

/**
 * The executors one engine drives, one per kind, each made on first use: a CLI that only looks at
 * local tasks never starts talking to Slurm. Closing the set closes what it made.
 */
export class ExecutorSet {
  private readonly made = new Map<ExecutorKind, Executor>();

  constructor(private readonly factory: ExecutorFactory) {}

  /** A set of ready executors; asking for another kind is an error that names the kinds it has. */
  static of(...executors: readonly Executor[]): ExecutorSet {
    const byKind = new Map(executors.map((e) => [e.kind, e] as const));
    return new ExecutorSet((kind) => {
      const executor = byKind.get(kind);
      if (executor === undefined) {
        throw new CohortError('NOT_AVAILABLE', `No ${kind} executor is configured here.`, {
          hint: `This engine runs tasks on: ${[...byKind.keys()].join(', ')}.`,
          context: { kind },
        });
      }
      return executor;
    });
  }

  get(kind: ExecutorKind): Executor {
    let executor = this.made.get(kind);
    if (executor === undefined) {
      executor = this.factory(kind);
      this.made.set(kind, executor);
    }
    return executor;
  }

  /** The executor of `kind` if one was made already. */
  existing(kind: ExecutorKind): Executor | undefined {
    return this.made.get(kind);
  }

  async close(): Promise<void> {
    const all = [...this.made.values()];
    this.made.clear();
    for (const executor of all) await executor.close();
  }
}
