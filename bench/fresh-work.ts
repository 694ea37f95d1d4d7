import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * How long ext4 without a journal (this machine's root file system) skips an inode freed before, when
 * it allocates a new one: 60 s once the inode table's block is written back (we `sync` right after
 * deleting), 360 s while it is dirty. Plus a margin.
 */
const RECENTLY_FREED_MS = 65_000;

/**
 * Empties a benchmark's work folder without deleting anything before the timed runs: the last run's
 * folder is moved aside, and the returned function deletes it once the timing is over. A benchmark
 * started less than a minute after another one's deletion waits until that minute is over.
 *
 * Why: this machine's root file system (ext4 without a journal) skips every inode freed in the last
 * minute, six while its table is unwritten, when it allocates a new one, and each skip costs a
 * buffer-cache lookup. Deleting the last runner bench's ~50,000 files just before the timed runs made
 * each of Cohort's 4,000 file creations scan past them: 1.3-1.5 s became 2.1-2.5 s for the first
 * repeats, while `xargs`, which creates no file, paid nothing. A 10,000-task bench started right after
 * the 1,000-task one had deleted its 28,000 files took 16.7 s in its first repeat and 9.6 s in its
 * third. A user does not delete a cohort's worth of files the second before each run; the bench must
 * not either.
 */
export function freshWorkFolder(dir: string): () => void {
  waitForFreedInodes(stampOf(dir));
  const aside = `${dir.replace(/\/+$/, '')}.old-${process.pid}`;
  if (existsSync(dir)) renameSync(dir, aside);
  mkdirSync(dir, { recursive: true });
  return () => deleteWorkFolder(aside);
}

/**
 * Deletes a benchmark's work folder (every bench's folder lies in bench/.work/) and notes when, so that
 * a timed bench started within the minute waits (freshWorkFolder).
 */
export function deleteWorkFolder(dir: string): void {
  if (!existsSync(dir)) return;
  rmSync(dir, { recursive: true, force: true });
  execFileSync('sync'); // the inode table's blocks clean: the shorter of ext4's two windows
  writeFileSync(stampOf(dir), `${Date.now()}\n`);
}

/** The note of the last deletion, beside the work folders. */
function stampOf(dir: string): string {
  return join(dirname(dir.replace(/\/+$/, '')), '.last-delete');
}

function waitForFreedInodes(stamp: string): void {
  let last = 0;
  try {
    last = Number(readFileSync(stamp, 'utf8').trim());
  } catch {
    return; // no bench deleted anything here yet
  }
  const wait = last + RECENTLY_FREED_MS - Date.now();
  if (wait <= 0) return;
  console.error(`waiting ${Math.ceil(wait / 1000)} s: an earlier bench deleted its files just now`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
}
