import type { BatchDefinition } from './batch-definition.js';
import { GROUP_ITEM, type ItemResolution, type OutputCollision } from './batch-resolution.js';

/**
 * Outputs that more than one task of a run would write: two items (a fixed path in an analysis
 * folder, `ANALYSIS#group` + `mask.nii`, is the same file for every item) or two jobs of one item.
 * They would overwrite each other in an order nobody chose. A group-level job writes once for all
 * items, so it counts as one writer. Only ready items count: the others do not run.
 */
export function outputCollisions(
  batch: BatchDefinition,
  items: readonly ItemResolution[],
): OutputCollision[] {
  const writers = new Map<string, string[]>();
  const add = (path: string, writer: string): void => {
    const list = writers.get(path);
    if (list === undefined) writers.set(path, [writer]);
    else if (!list.includes(writer)) list.push(writer);
  };
  for (const item of items) {
    if (!item.runnable) continue;
    for (const job of item.jobs) {
      const group = batch.jobs[job.index]?.level === 'group';
      for (const arg of job.args) {
        if (!arg.ok || (arg.type !== 'OUT' && arg.type !== 'PATHOUT')) continue;
        add(arg.path, `${group ? GROUP_ITEM : item.item}: job '${job.name}'`);
      }
    }
  }
  return [...writers].filter(([, list]) => list.length > 1).map(([path, list]) => ({ path, writers: list }));
}
