import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';

/**
 * Empties a benchmark's work folder without deleting anything before the timed runs: the last run's
 * folder is moved aside, and the returned function deletes it once the timing is over.
 *
 * Why: this machine's root file system (ext4 without a journal) skips every inode freed in the last
 * minute, five while its table is unwritten, when it allocates a new one, and each skip costs a
 * buffer-cache lookup. Deleting the last runner bench's ~50,000 files just before the timed runs made
 * each of Cohort's 4,000 file creations scan past them: 1.3-1.5 s became 2.1-2.5 s for the first
 * repeats, while `xargs`, which creates no file, paid nothing. A user does not delete a cohort's worth of
 * files the second before each run; the bench must not either.
 */
export function freshWorkFolder(dir: string): () => void {
  const aside = `${dir.replace(/\/+$/, '')}.old-${process.pid}`;
  if (existsSync(dir)) renameSync(dir, aside);
  mkdirSync(dir, { recursive: true });
  return () => rmSync(aside, { recursive: true, force: true });
}
