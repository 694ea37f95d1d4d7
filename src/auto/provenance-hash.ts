import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import type { BatchDefinition } from '../batches/batch-definition.js';
import type { ItemResolution } from '../batches/batch-resolution.js';
import type { LibraryJob } from '../jobs/library-job.js';

/**
 * The provenance hash of one item of a batch: SHA-256 over what decides its result, the version of
 * every job (its arguments, script or command, environment line, and the predefined job's definition
 * as the library holds it now) and its inputs (each resolved path with its size and modification
 * time) and output paths. Display names, options and queues are left out: renaming a job or moving it
 * to another queue computes nothing new. Equal hashes: the same computation.
 */
export function provenanceHash(
  batch: BatchDefinition,
  item: ItemResolution,
  library: readonly LibraryJob[],
): string {
  const jobs = batch.jobs.map((job) => ({
    language: job.language ?? null,
    script: job.script ?? null,
    library: job.library === undefined ? null : (library.find((l) => l.id === job.library) ?? job.library),
    args: job.args,
    extraArgs: job.extraArgs ?? [],
    environment: job.environment ?? null,
  }));
  const resolved = item.jobs.map((job) =>
    job.args.map((arg) => {
      if (!arg.ok) return [arg.name, null];
      if (arg.type === 'FILE') return [arg.name, arg.paths.map(fileStamp)];
      return [arg.name, 'path' in arg ? arg.path : arg.value];
    }),
  );
  const text = JSON.stringify({
    level: batch.level,
    references: batch.references ?? {},
    jobs,
    item: item.item,
    resolved,
  });
  return createHash('sha256').update(text).digest('hex');
}

/** A file as far as its content goes without reading it: path, size, mtime (a rewrite changes them). */
function fileStamp(path: string): [string, number, number] | [string, null] {
  try {
    const s = statSync(path);
    return [path, s.size, Math.round(s.mtimeMs)];
  } catch {
    return [path, null];
  }
}
