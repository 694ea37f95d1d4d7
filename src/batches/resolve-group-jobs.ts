import type { BatchDefinition } from './batch-definition.js';
import {
  GROUP_ITEM,
  type ArgumentResolution,
  type FileResolution,
  type GroupResolution,
  type ItemResolution,
  type JobResolution,
} from './batch-resolution.js';

/**
 * Resolves the batch's group-level jobs over the ready items (undefined when it has none). Each item
 * resolved the group job's arguments as its own (its FILE inputs in its studies); here every FILE
 * argument becomes the list of all ready items' files, in item order, without repeats (an input in an
 * analysis folder is the same file for every item). Outputs and values are the same for every item
 * (group outputs must lie in an analysis folder: `checkBatchRules`), so the first item's are taken.
 */
export function resolveGroupJobs(
  batch: BatchDefinition,
  items: readonly ItemResolution[],
): GroupResolution | undefined {
  const indices = batch.jobs.flatMap((job, index) => (job.level === 'group' ? [index] : []));
  if (indices.length === 0) return undefined;
  const ready = items.filter((item) => item.runnable);
  const problems =
    ready.length === 0 ? ['no item of the selection is ready, so the group-level jobs have no input'] : [];
  const jobs = indices.map((index): JobResolution => {
    const job = batch.jobs[index];
    const perItem = ready.map((item) => item.jobs[index]);
    const args = (job?.args ?? []).map((arg, a): ArgumentResolution => {
      const resolved = perItem.flatMap((j) => (j?.args[a] === undefined ? [] : [j.args[a]]));
      if (arg.type === 'FILE') return fileList(arg.name, resolved);
      return (
        resolved[0] ??
        ({
          type: arg.type === 'OUT' || arg.type === 'PATHOUT' ? arg.type : 'FILE',
          name: arg.name,
          ok: false,
          optional: false,
          reason: 'no ready item',
        } as const)
      );
    });
    return { index, name: job?.name ?? '', runnable: ready.length > 0, args };
  });
  return { item: GROUP_ITEM, items: ready.map((i) => i.item), runnable: ready.length > 0, problems, jobs };
}

function fileList(name: string, resolved: readonly ArgumentResolution[]): FileResolution {
  const found = resolved.filter((r): r is FileResolution => r.type === 'FILE' && r.ok);
  const paths = [...new Set(found.flatMap((r) => r.paths))];
  const producedBy = found.find((r) => r.producedBy !== undefined)?.producedBy;
  return {
    type: 'FILE',
    name,
    ok: true,
    paths,
    matched: paths.length,
    location: `${found.length} item${found.length === 1 ? '' : 's'}`,
    ...(producedBy === undefined ? {} : { producedBy }),
    ...(found.some((r) => r.deferred === true) ? { deferred: true } : {}),
  };
}
