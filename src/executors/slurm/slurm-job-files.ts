import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SlurmJob } from './slurm-states.js';

/**
 * Slurm's own output of a job (slurmstepd's messages: memory kills, time limits) is kept apart from the
 * task's stdout.log and stderr.log, which the wrapper writes. A single job's goes to `slurm.log` in its
 * log folder; an array's elements all write into the first task's log folder (an `--output` pattern can
 * vary only by `%a`), which also lists every element's log folder, one per line, so that any executor
 * instance can find a task's files from the job's `--output` alone.
 */
export const SLURM_JOB_FILES = {
  single: 'slurm.log',
  element: 'slurm-array-%a.log',
  arrayIndex: 'slurm-array.txt',
} as const;

/** Writes an array's list of log folders into the first one's folder. */
export function writeArrayIndex(logDirs: readonly string[]): void {
  writeFileSync(join(logDirs[0]!, SLURM_JOB_FILES.arrayIndex), `${logDirs.join('\n')}\n`);
}

/** The log folder of a job or array element, from its `--output` pattern; undefined when not Cohort's. */
export function logDirOfJob(job: SlurmJob): string | undefined {
  const pattern = job.stdoutPattern;
  if (pattern === undefined) return undefined;
  const folder = dirname(pattern).replace(/%%/g, '%');
  if (pattern.endsWith(`/${SLURM_JOB_FILES.single}`)) return folder;
  const index = Number(job.id.split('_')[1]);
  if (!pattern.endsWith(`/${SLURM_JOB_FILES.element}`) || !Number.isInteger(index)) return undefined;
  try {
    return readFileSync(join(folder, SLURM_JOB_FILES.arrayIndex), 'utf8').split('\n')[index] || undefined;
  } catch {
    return undefined;
  }
}

/** Slurm's own log of one job or element (the `--output` pattern with `%a` replaced). */
export function slurmLogOf(job: SlurmJob): string | undefined {
  const index = job.id.split('_')[1] ?? '';
  return job.stdoutPattern?.replace(/%(%|a)/g, (_, c: string) => (c === '%' ? '%' : index));
}

/** Whether slurmstepd wrote that it killed the job for its memory (jobacct_gather's OverMemoryKill). */
export function killedForMemory(job: SlurmJob): boolean {
  const log = slurmLogOf(job);
  try {
    return log !== undefined && /exceeded (job )?memory limit/i.test(readFileSync(log, 'utf8'));
  } catch {
    return false;
  }
}
