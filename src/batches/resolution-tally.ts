import type { BatchDefinition } from './batch-definition.js';
import type { ItemMissing, ItemResolution, JobResolution } from './batch-resolution.js';
import type { ArgumentTally, JobTally } from './batch-preview.js';
import { OutputCollector } from './output-collisions.js';
import { resolveGroupJobs } from './resolve-group-jobs.js';

/** A job of an item the group resolution does not read: the item keeps no argument of it. */
const SKIPPED: JobResolution = { index: -1, name: '', runnable: true, args: [] };

/**
 * The summary of a resolution, fed one item at a time so that nobody has to keep every item: ready
 * and not-runnable counts, the items missing an input (the first `maxMissing` with their reasons, all
 * counted), per job how many items can run it, per argument how many items miss it, the output
 * collision check and the group-level jobs (which keep, of each ready item, only their own jobs).
 */
export class ResolutionTally {
  total = 0;
  ready = 0;
  /** Items missing an input, required or optional. */
  missingItems = 0;
  readonly missing: ItemMissing[] = [];
  readonly #batch: BatchDefinition;
  readonly #maxMissing: number;
  readonly #jobs: { ready: number; notRunnable: number }[];
  readonly #args: Map<string, { missing: number; example?: string }>;
  readonly #collisions: OutputCollector;
  readonly #groupJobs: ReadonlySet<number>;
  readonly #readyForGroup: ItemResolution[] = [];

  constructor(batch: BatchDefinition, maxMissing = Number.POSITIVE_INFINITY) {
    this.#batch = batch;
    this.#maxMissing = maxMissing;
    this.#jobs = batch.jobs.map(() => ({ ready: 0, notRunnable: 0 }));
    this.#args = new Map();
    this.#collisions = new OutputCollector(batch);
    this.#groupJobs = new Set(batch.jobs.flatMap((job, index) => (job.level === 'group' ? [index] : [])));
  }

  add(item: ItemResolution): void {
    this.total++;
    if (item.runnable) this.ready++;
    // Optional misses count as missing inputs here, though they do not stop the item.
    let optional: string[] | undefined;
    for (const job of item.jobs) {
      const counts = this.#jobs[job.index];
      if (counts !== undefined) {
        if (job.runnable) counts.ready++;
        else counts.notRunnable++;
      }
      for (const arg of job.args) {
        if (arg.ok) continue;
        const key = `${job.index}/${arg.name}`;
        const tally = this.#args.get(key) ?? { missing: 0 };
        tally.missing++;
        tally.example ??= `${item.item}: ${arg.reason}`;
        this.#args.set(key, tally);
        if (arg.optional) {
          (optional ??= []).push(`job '${job.name}', argument '${arg.name}' (optional): ${arg.reason}`);
        }
      }
    }
    if (item.problems.length > 0 || optional !== undefined) {
      this.missingItems++;
      if (this.missing.length < this.#maxMissing) {
        this.missing.push({
          item: item.item,
          runnable: item.runnable,
          reasons: optional === undefined ? [...item.problems] : [...item.problems, ...optional],
        });
      }
    }
    this.#collisions.add(item);
    if (item.runnable && this.#groupJobs.size > 0) {
      this.#readyForGroup.push({
        ...item,
        jobs: item.jobs.map((job) => (this.#groupJobs.has(job.index) ? job : SKIPPED)),
      });
    }
  }

  get notRunnable(): number {
    return this.total - this.ready;
  }

  /** Per job of the batch, how many items can run it (an item with no jobs counts for none). */
  jobs(): JobTally[] {
    return this.#batch.jobs.map((job, index) => ({
      index,
      name: job.name,
      ready: this.#jobs[index]?.ready ?? 0,
      notRunnable: this.#jobs[index]?.notRunnable ?? 0,
    }));
  }

  /** The input and output arguments some items miss, in batch order, with the first such item's reason. */
  arguments(): ArgumentTally[] {
    return this.#batch.jobs.flatMap((job, index) =>
      job.args.flatMap((arg): ArgumentTally[] => {
        const tally = this.#args.get(`${index}/${arg.name}`);
        if (tally === undefined) return [];
        return [
          {
            jobIndex: index,
            job: job.name,
            argument: arg.name,
            optional: arg.type === 'FILE' && arg.optional === true,
            missing: tally.missing,
            example: tally.example ?? '',
          },
        ];
      }),
    );
  }

  collisions(): ReturnType<OutputCollector['collisions']> {
    return this.#collisions.collisions();
  }

  group(): ReturnType<typeof resolveGroupJobs> {
    return resolveGroupJobs(this.#batch, this.#readyForGroup);
  }
}
