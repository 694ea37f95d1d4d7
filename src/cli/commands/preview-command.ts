import { adoptProposals } from '../../batches/propose-patterns.js';
import type { BatchDefinition } from '../../batches/batch-definition.js';
import type { BatchPreview } from '../../batches/batch-preview.js';
import { previewBatch } from '../../batches/preview-batch.js';
import { placeJob } from '../../queues/place-job.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { formatTable } from '../format-table.js';
import { ITEM_ARGS, itemsArg, loadBatchArg, storeBatchArg } from './load-batch-arg.js';

/** Items a terminal gets by default: the summary counts them all. */
const DEFAULT_ITEMS = 100;

export const previewCommand: CommandSpec = {
  name: 'preview',
  summary:
    'Resolution preview: how many items are ready, which inputs they miss and why, and per item (the first 100) the file each argument resolves to.',
  args: ITEM_ARGS,
  options: {
    filter: {
      type: 'string',
      value: 'FILTER',
      description: 'Choose items with the filter-bar language instead of selector terms.',
    },
    items: {
      type: 'integer',
      min: 0,
      value: 'N',
      default: DEFAULT_ITEMS,
      description: 'Show N items in full (also in --json); the summary counts every item.',
    },
    offset: {
      type: 'integer',
      min: 0,
      value: 'K',
      default: 0,
      description: 'Show items from the K-th on (0-based), for the pages after the first.',
    },
    all: { type: 'boolean', description: 'Show every item in full (slow and long for a large cohort).' },
    adopt: {
      type: 'boolean',
      description:
        'Adopt the proposed generalised patterns: save them into the batch (the saved batch, or the .json file) and preview again.',
    },
  },
  examples: [
    'cohort preview examples/dti.json',
    "cohort preview examples/dti.json --filter 'STAG:baseline & !JOB:r'",
    'cohort preview examples/dti.json --items 20 --offset 40',
    'cohort preview examples/dti.json --adopt',
  ],
  run(ctx) {
    let batch = loadBatchArg(ctx, ctx.args[0] ?? '');
    let preview = previewOf(ctx, batch);
    if (ctx.options.adopt === true && preview.proposals.length > 0) {
      batch = adoptProposals(batch, preview.proposals);
      storeBatchArg(ctx, ctx.args[0] ?? '', batch);
      for (const p of preview.proposals) {
        ctx.warn(`Adopted for job '${p.job}', argument '${p.argument}': ${p.pattern}`);
      }
      preview = previewOf(ctx, batch);
    }
    if (ctx.json) return ctx.printJson(preview);
    printPreview(ctx, preview);
    for (const p of preview.proposals) {
      ctx.print(
        `Proposal: job '${p.job}', argument '${p.argument}': ${p.pattern} instead of ${p.from.join(' ')} ` +
          `finds it in ${p.missingNow - p.missingAfter} more item(s)` +
          `${p.missingAfter === 0 ? ' (all)' : `, ${p.missingAfter} still missing`}; adopt with --adopt.`,
      );
    }
    for (const job of batch.jobs.filter((j) => j.language === 'python')) {
      const placed = placeJob(ctx.catalog().db, ctx.project(), job, undefined);
      ctx.print(`Python job '${job.name}' runs with ${placed.python} (queue ${placed.queue}).`);
    }
    return preview.summary.ready === 0 ? 1 : 0;
  },
};

function previewOf(ctx: CommandContext, batch: BatchDefinition): BatchPreview {
  const offset = typeof ctx.options.offset === 'number' ? ctx.options.offset : 0;
  const limit =
    ctx.options.all === true
      ? Number.MAX_SAFE_INTEGER
      : typeof ctx.options.items === 'number'
        ? ctx.options.items
        : DEFAULT_ITEMS;
  const items = itemsArg(ctx, ctx.args.slice(1));
  return previewBatch(ctx.catalog().db, ctx.project(), batch, items, { offset, limit });
}

function printPreview(ctx: CommandContext, r: BatchPreview): void {
  const rows = r.items.map((item) => [
    item.item,
    item.runnable ? 'ready' : 'MISSING',
    item.jobs
      .flatMap((j) =>
        j.args
          .filter((a) => a.type === 'FILE')
          .map((a) =>
            a.ok && a.type === 'FILE'
              ? a.paths
                  .map((p, i) => {
                    const short = p.split('/').slice(-2).join('/');
                    // A sidecar says where it was inherited from: `dwi.bval (dataset level)`.
                    const origin = a.origins?.[i];
                    return origin === undefined ? short : `${short} (${origin})`;
                  })
                  .join(',')
              : '-',
          ),
      )
      .join('  '),
    [...item.problems, ...item.warnings].join('; '),
  ]);
  if (rows.length > 0) ctx.print(formatTable(['ITEM', 'STATUS', 'INPUTS', 'PROBLEMS'], rows));
  const { total, ready, notRunnable } = r.summary;
  if (r.items.length < total) {
    const from = Math.min(r.page.offset, total);
    ctx.print(
      r.items.length === 0
        ? `No item shown of ${total} (--items N, --offset K or --all show them).`
        : `Items ${from + 1} to ${from + r.items.length} of ${total} shown (--items N, --offset K or --all for others).`,
    );
  }
  ctx.print(`${ready} of ${total} item(s) ready, ${notRunnable} missing an input.`);
  for (const a of r.summary.arguments) {
    ctx.print(
      `  job '${a.job}', argument '${a.argument}'${a.optional ? ' (optional)' : ''}: missing in ${a.missing} item(s), e.g. ${a.example}`,
    );
  }
  printGroupAndCollisions(ctx, r);
}

/** The group-level jobs' lists of inputs, and outputs two tasks would write (which `run` refuses). */
function printGroupAndCollisions(ctx: CommandContext, r: BatchPreview): void {
  for (const job of r.group?.jobs ?? []) {
    ctx.print(`Group-level job '${job.name}' runs once over ${r.group?.items.length ?? 0} item(s):`);
    for (const arg of job.args) {
      if (!arg.ok) ctx.print(`  ${arg.name}: ${arg.reason}`);
      else if (arg.type === 'FILE') ctx.print(`  ${arg.name} (${arg.paths.length}): ${arg.paths.join(' ')}`);
      else if (arg.type === 'OUT' || arg.type === 'PATHOUT') ctx.print(`  ${arg.name}: ${arg.path}`);
    }
  }
  for (const c of r.collisions) {
    ctx.print(`COLLISION: ${c.path} is written by ${c.writers.join(', ')}`);
  }
  if (r.collisions.length > 0) {
    ctx.print(
      'run refuses outputs written twice: give each item its own output, or make the job group-level ("level": "group").',
    );
  }
}
