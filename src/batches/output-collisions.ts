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
  // The first writer of each path as a pair; a map of writers only for the few paths with a second
  // one (a map and a text per output made a preview over 100,000 subjects allocate 500,000 maps).
  const first = new Map<string, readonly [string, string]>();
  const writers = new Map<string, Map<string, string>>();
  const add = (path: string, item: string, job: string): void => {
    const earlier = first.get(path);
    if (earlier === undefined) {
      first.set(path, [item, job]);
      return;
    }
    if (earlier[0] === item) return;
    let byItem = writers.get(path);
    if (byItem === undefined) {
      byItem = new Map([[earlier[0], `${earlier[0]}: job '${earlier[1]}'`]]);
      writers.set(path, byItem);
    }
    if (!byItem.has(item)) byItem.set(item, `${item}: job '${job}'`);
  };
  for (const item of items) {
    if (!item.runnable) continue;
    for (const job of item.jobs) {
      const group = batch.jobs[job.index]?.level === 'group';
      for (const arg of job.args) {
        if (!arg.ok || (arg.type !== 'OUT' && arg.type !== 'PATHOUT')) continue;
        add(arg.path, group ? GROUP_ITEM : item.item, job.name);
      }
    }
  }
  return [...writers].map(([path, byItem]) => ({ path, writers: [...byItem.values()] }));
}
