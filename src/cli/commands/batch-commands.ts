import { formatBatchExport } from '../../batches/batch-export.js';
import { deleteBatch, listBatches, saveBatch, setBatchFavourite } from '../../batches/batch-store.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { formatTable } from '../format-table.js';
import { loadBatchArg } from './load-batch-arg.js';

function keyOf(arg: string): { name: string; folder?: string } {
  const slash = arg.lastIndexOf('/');
  return slash < 0 ? { name: arg } : { folder: arg.slice(0, slash), name: arg.slice(slash + 1) };
}

export const batchSaveCommand: CommandSpec = {
  name: 'batch save',
  summary: 'Save (or replace) a batch from a JSON file into the batch list, optionally in a folder.',
  args: [{ name: 'FILE', description: 'Batch JSON (as written by `cohort batch show`).', required: true }],
  options: {
    folder: { type: 'string', value: 'FOLDER', description: 'Folder in the batch list, e.g. dti/qc.' },
    favourite: { type: 'boolean', description: 'Mark as favourite.' },
  },
  examples: [
    'cohort batch save examples/brain-mask.json --folder qc --favourite',
    'cohort batch save examples/dti.json',
    'cohort batch save examples/demo-qc.json --folder qc',
  ],
  run(ctx) {
    const batch = loadBatchArg(ctx, ctx.args[0] ?? '');
    const entry = saveBatch(ctx.catalog().db, ctx.project(), batch, {
      ...(typeof ctx.options.folder === 'string' ? { folder: ctx.options.folder } : {}),
      ...(ctx.options.favourite === true ? { favourite: true } : {}),
    });
    if (ctx.json) return ctx.printJson(entry);
    ctx.print(`Saved batch '${batch.name}'${entry.folder === '' ? '' : ` in ${entry.folder}`}.`);
  },
};

export const batchListCommand: CommandSpec = {
  name: 'batch list',
  summary: 'List saved batches with their folders, favourites and jobs.',
  args: [],
  options: {},
  examples: ['cohort batch list', 'cohort batch list --json'],
  run(ctx) {
    const entries = listBatches(ctx.catalog().db, ctx.project());
    if (ctx.json) return ctx.printJson(entries);
    ctx.print(
      formatTable(
        ['BATCH', 'FAV', 'JOBS'],
        entries.map((e) => [
          e.folder === '' ? e.name : `${e.folder}/${e.name}`,
          e.favourite ? '*' : '',
          e.jobNames.join(', '),
        ]),
      ),
    );
  },
};

export const batchShowCommand: CommandSpec = {
  name: 'batch show',
  summary: 'Print a saved batch as JSON (the export format; `> file.json` to export it).',
  args: [{ name: 'NAME', description: 'NAME or FOLDER/NAME.', required: true }],
  options: {},
  examples: ['cohort batch show qc/brain-mask', 'cohort batch show qc/brain-mask > brain-mask-copy.json'],
  run(ctx: CommandContext) {
    ctx.print(formatBatchExport(loadBatchArg(ctx, ctx.args[0] ?? '')).trimEnd());
  },
};

export const batchDeleteCommand: CommandSpec = {
  name: 'batch delete',
  summary: 'Delete a saved batch.',
  args: [{ name: 'NAME', description: 'NAME or FOLDER/NAME.', required: true }],
  options: {},
  examples: ['cohort batch delete qc/demo-qc'],
  run(ctx) {
    deleteBatch(ctx.catalog().db, ctx.project(), keyOf(ctx.args[0] ?? ''));
    ctx.print(`Deleted batch '${ctx.args[0] ?? ''}'.`);
  },
};

export const batchFavouriteCommand: CommandSpec = {
  name: 'batch favourite',
  summary: 'Mark a saved batch as favourite (--off to unmark).',
  args: [{ name: 'NAME', description: 'NAME or FOLDER/NAME.', required: true }],
  options: { off: { type: 'boolean', description: 'Unmark.' } },
  examples: ['cohort batch favourite qc/brain-mask --off', 'cohort batch favourite qc/brain-mask'],
  run(ctx) {
    const on = ctx.options.off !== true;
    setBatchFavourite(ctx.catalog().db, ctx.project(), keyOf(ctx.args[0] ?? ''), on);
    ctx.print(`Batch '${ctx.args[0] ?? ''}' ${on ? 'marked as favourite' : 'no longer a favourite'}.`);
  },
};
