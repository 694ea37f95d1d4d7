/**
 * How a run's tasks become scheduler jobs ("units").
 * - chained (default): one unit per job and item; an item's jobs wait for each other in order
 * - unordered: one unit per job and item, no waiting (jobs independent of each other)
 * - per-item: one unit per item (subject or study) running its jobs in order
 * - single: everything in one unit
 * - n-units: items spread over N units, each running its items' jobs in order
 */
export const RUN_MODES = ['chained', 'unordered', 'per-item', 'single', 'n-units'] as const;
export type RunMode = (typeof RUN_MODES)[number];

const NO_GROUP = { indices: new Set<number>(), item: '' };

export interface PlannedTask {
  readonly item: string;
  readonly jobIndex: number;
}

/** Run modes a batch with group-level jobs can run in: those that keep every job its own unit. */
export const GROUP_RUN_MODES: readonly RunMode[] = ['chained'];

/**
 * Assigns every (item, job) a unit name. Items keep their order; jobs of an item stay in one unit or
 * chain. A group-level job (its index in `groupJobs`, run mode chained only) is one task for all
 * items, item `groupItem`; with group jobs the tasks come job by job, so that every task follows
 * the tasks it waits for.
 */
export function planUnits(
  items: readonly string[],
  jobCount: number,
  mode: RunMode,
  units = 1,
  groupJobs: { readonly indices: ReadonlySet<number>; readonly item: string } = NO_GROUP,
): Map<string, PlannedTask[]> {
  const plan = new Map<string, PlannedTask[]>();
  const add = (unit: string, task: PlannedTask): void => {
    const list = plan.get(unit);
    if (list === undefined) plan.set(unit, [task]);
    else list.push(task);
  };
  if (groupJobs.indices.size > 0) {
    for (let jobIndex = 0; jobIndex < jobCount; jobIndex++) {
      const forItems = groupJobs.indices.has(jobIndex) ? [groupJobs.item] : items;
      for (const item of forItems) add(`${item}/${jobIndex}`, { item, jobIndex });
    }
    return plan;
  }
  items.forEach((item, i) => {
    for (let jobIndex = 0; jobIndex < jobCount; jobIndex++) {
      const task = { item, jobIndex };
      switch (mode) {
        case 'chained':
        case 'unordered':
          add(`${item}/${jobIndex}`, task);
          break;
        case 'per-item':
          add(item, task);
          break;
        case 'single':
          add('all', task);
          break;
        case 'n-units':
          add(`part-${(i % Math.max(1, units)) + 1}`, task);
          break;
      }
    }
  });
  return plan;
}
