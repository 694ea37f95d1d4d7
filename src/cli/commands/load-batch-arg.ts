import { readFileSync, writeFileSync } from 'node:fs';
import type { BatchDefinition } from '../../batches/batch-definition.js';
import { formatBatchExport, importBatch } from '../../batches/batch-export.js';
import { loadBatch, saveBatch } from '../../batches/batch-store.js';
import type { BatchItems } from '../../batches/load-batch-scope.js';
import { notFound } from '../../errors/cohort-error.js';
import { checkLibraryJobs, defaultLibraryDirs, loadLibrary } from '../../jobs/library.js';
import type { CommandContext } from '../command-spec.js';

/**
 * A batch named on the command line: a `.json` file (exported or hand-written), or a saved batch as
 * `NAME` or `FOLDER/NAME`.
 */
export function loadBatchArg(ctx: CommandContext, arg: string): BatchDefinition {
  const batch = readBatchArg(ctx, arg);
  // A batch naming a library job that does not exist is wrong, not "ready". Read the library only
  // when a job names one: parsing it costs a batch of plain scripts 0.1 s of every `cohort run`.
  if (batch.jobs.some((job) => job.library !== undefined))
    checkLibraryJobs(batch.jobs, loadLibrary(defaultLibraryDirs(ctx.config.libraryDir)));
  return batch;
}

function readBatchArg(ctx: CommandContext, arg: string): BatchDefinition {
  if (arg.endsWith('.json')) {
    let text: string;
    try {
      text = readFileSync(arg, 'utf8');
    } catch {
      throw notFound(`Cannot read the batch file ${arg}.`, 'Check the path.');
    }
    return importBatch(text);
  }
  const slash = arg.lastIndexOf('/');
  const key = slash < 0 ? { name: arg } : { folder: arg.slice(0, slash), name: arg.slice(slash + 1) };
  return loadBatch(ctx.catalog().db, ctx.project(), key);
}

/** The BATCH and TERM arguments of the commands that resolve a batch over a selection. */
export const ITEM_ARGS = [
  {
    name: 'BATCH',
    description: 'A batch file (.json) or a saved batch (NAME or FOLDER/NAME).',
    required: true,
  },
  {
    name: 'TERM',
    description: 'Selector terms choosing the studies (default: all); or use --filter.',
    variadic: true,
  },
] as const;

/** Items from selector terms (`*#LATEST stag:x`) or a filter (`--filter 'P00 & STAG:x'`); all when none. */
export function itemsArg(ctx: CommandContext, terms: readonly string[]): BatchItems {
  if (typeof ctx.options.filter === 'string') return { filter: ctx.options.filter };
  return terms.length === 0 ? 'all' : { selector: terms };
}

/**
 * Writes a changed batch back where {@link loadBatchArg} read it: the `.json` file (in the export
 * format) or the saved batch of that name.
 */
export function storeBatchArg(ctx: CommandContext, arg: string, batch: BatchDefinition): void {
  if (arg.endsWith('.json')) {
    writeFileSync(arg, formatBatchExport(batch));
    return;
  }
  const slash = arg.lastIndexOf('/');
  saveBatch(ctx.catalog().db, ctx.project(), batch, slash < 0 ? {} : { folder: arg.slice(0, slash) });
}
