import type { BatchDefinition } from './batch-definition.js';
import { GROUP_ITEM, type ItemResolution, type OutputCollision } from './batch-resolution.js';

/**
 * Outputs that tasks of more than one item would write: a fixed path in an analysis folder
 * (`ANALYSIS#group` + `mask.nii`) is the same file for every item, and their tasks run in parallel, so
 * they overwrite each other in an order nobody chose. A group-level job writes once for all items, so
 * it counts as one writer (item `*`). Two jobs of one item writing one path are not listed: they run
 * one after the other (a later job may declare an earlier one's output to register or update it).
 * Only ready items count: the others do not run.
 */
export function outputCollisions(
  batch: BatchDefinition,
  items: readonly ItemResolution[],
): OutputCollision[] {
  const collector = new OutputCollector(batch);
  for (const item of items) collector.add(item);
  return collector.collisions();
}

/**
 * {@link outputCollisions} fed one item at a time, so that a preview need not keep every item: only
 * the first writer of each path is kept, as a pair, and a map of writers only for the few paths with a
 * second one (a map and a text per output made a preview over 100,000 subjects allocate 500,000 maps).
 */
export class OutputCollector {
  /** The first writer of each path: its position in #names times the job count, plus the job. */
  readonly #first = new Map<string, number>();
  readonly #writers = new Map<string, Map<string, string>>();
  /** Writers' item keys; the group-level writer first. */
  readonly #names: string[] = [GROUP_ITEM];
  readonly #jobNames: readonly string[];
  readonly #groupJobs: ReadonlySet<number>;

  constructor(batch: BatchDefinition) {
    this.#jobNames = batch.jobs.map((job) => job.name);
    this.#groupJobs = new Set(batch.jobs.flatMap((job, index) => (job.level === 'group' ? [index] : [])));
  }

  /** Counts the outputs of one item (nothing when it is not ready). */
  add(item: ItemResolution): void {
    if (!item.runnable) return;
    let seq = -1;
    for (const job of item.jobs) {
      const group = this.#groupJobs.has(job.index);
      for (const arg of job.args) {
        if (!arg.ok || (arg.type !== 'OUT' && arg.type !== 'PATHOUT')) continue;
        if (!group && seq < 0) seq = this.#names.push(item.item) - 1;
        this.#write(arg.path, group ? 0 : seq, job.index);
      }
    }
  }

  /** The paths with more than one writer, in the order their second writer came. */
  collisions(): OutputCollision[] {
    return [...this.#writers].map(([path, byItem]) => ({ path, writers: [...byItem.values()] }));
  }

  // A number per path, not a pair: 500,000 outputs of 100,000 subjects were as many small arrays.
  #write(path: string, seq: number, job: number): void {
    const jobs = this.#jobNames.length;
    const earlier = this.#first.get(path);
    if (earlier === undefined) {
      this.#first.set(path, seq * jobs + job);
      return;
    }
    const first = this.#names[Math.floor(earlier / jobs)] ?? '';
    const item = this.#names[seq] ?? '';
    if (first === item) return;
    let byItem = this.#writers.get(path);
    if (byItem === undefined) {
      byItem = new Map([[first, `${first}: job '${this.#jobNames[earlier % jobs] ?? ''}'`]]);
      this.#writers.set(path, byItem);
    }
    if (!byItem.has(item)) byItem.set(item, `${item}: job '${this.#jobNames[job] ?? ''}'`);
  }
}
