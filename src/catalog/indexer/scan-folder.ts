import { readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import type { ScanWarning } from './scan-types.js';

export interface FolderScan {
  /** Relative paths (to the scanned folder) with their metadata, in directory order. */
  readonly files: Array<{ path: string; size: number; mtimeMs: number }>;
  readonly warnings: ScanWarning[];
  /** Relative paths of folders that could not be listed: files below them must not be marked removed. */
  readonly unreadable: string[];
}

/**
 * Lists every regular file below `absDir`, following symbolic links only while they stay inside the
 * project root (`rootReal`, symlink-free) and do not loop. Errors on single folders are collected as
 * warnings so one bad folder never stops an index of thousands.
 *
 * `rootRel` is `absDir` relative to the root, used in warnings.
 */
export function scanFolder(
  absDir: string,
  rootReal: string,
  rootRel: string,
  options: ScanFolderOptions = {},
): FolderScan {
  const out: FolderScan = { files: [], warnings: [], unreadable: [] };
  walk(absDir, absDir, '', rootReal, rootRel, out, new Set(), options.skipTop);
  if (options.prefix !== undefined) {
    const prefix = options.prefix;
    return {
      files: out.files.map((f) => ({ ...f, path: `${prefix}/${f.path}` })),
      warnings: out.warnings,
      unreadable: out.unreadable.map((u) => (u === '' ? prefix : `${prefix}/${u}`)),
    };
  }
  return out;
}

export interface ScanFolderOptions {
  /** Top-level entries not to enter (a BIDS pipeline folder's `sub-*` folders belong to studies). */
  readonly skipTop?: (name: string) => boolean;
  /** Prefixes every path (`derivatives/<pipeline>` for a study's derivatives). */
  readonly prefix?: string;
}

/** One scan of several folders of one container (a study's raw folder and its derivatives). */
export function mergeScans(scans: readonly FolderScan[]): FolderScan {
  return {
    files: scans.flatMap((s) => s.files),
    warnings: scans.flatMap((s) => s.warnings),
    unreadable: scans.flatMap((s) => s.unreadable),
  };
}

function walk(
  abs: string,
  real: string,
  rel: string,
  rootReal: string,
  rootRel: string,
  out: FolderScan,
  followed: Set<string>,
  skipTop?: (name: string) => boolean,
): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(abs, { withFileTypes: true });
    if (skipTop !== undefined) entries = entries.filter((e) => !skipTop(e.name));
  } catch (error) {
    out.unreadable.push(rel);
    out.warnings.push({ path: join(rootRel, rel), problem: 'unreadable', detail: describe(error) });
    return;
  }
  for (const entry of entries) {
    const childAbs = `${abs}/${entry.name}`;
    const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isFile()) {
      const stats = statOrWarn(childAbs, childRel, rootRel, out);
      if (stats !== null)
        out.files.push({ path: childRel, size: stats.size, mtimeMs: Math.trunc(stats.mtimeMs) });
    } else if (entry.isDirectory()) {
      walk(childAbs, `${real}/${entry.name}`, childRel, rootReal, rootRel, out, followed);
    } else if (entry.isSymbolicLink()) {
      followLink(childAbs, real, childRel, rootReal, rootRel, out, followed);
    }
    // Sockets, FIFOs and devices are not images: skipped without a word.
  }
}

function followLink(
  abs: string,
  parentReal: string,
  rel: string,
  rootReal: string,
  rootRel: string,
  out: FolderScan,
  followed: Set<string>,
): void {
  let target: string;
  try {
    target = realpathSync(abs);
  } catch (error) {
    out.warnings.push({ path: join(rootRel, rel), problem: 'broken-symlink', detail: describe(error) });
    return;
  }
  if (target !== rootReal && !target.startsWith(`${rootReal}/`)) {
    out.warnings.push({
      path: join(rootRel, rel),
      problem: 'symlink-outside-root',
      detail: `points to ${target}, outside the project root; not followed`,
    });
    return;
  }
  const stats = statOrWarn(abs, rel, rootRel, out);
  if (stats === null) return;
  if (stats.isFile()) {
    out.files.push({ path: rel, size: stats.size, mtimeMs: Math.trunc(stats.mtimeMs) });
  } else if (stats.isDirectory()) {
    const loops = parentReal === target || parentReal.startsWith(`${target}/`) || followed.has(target);
    if (loops) {
      out.warnings.push({
        path: join(rootRel, rel),
        problem: 'symlink-loop',
        detail: `points back to ${target}`,
      });
      return;
    }
    followed.add(target);
    walk(abs, target, rel, rootReal, rootRel, out, followed);
  }
}

function statOrWarn(abs: string, rel: string, rootRel: string, out: FolderScan): Stats | null {
  try {
    return statSync(abs);
  } catch (error) {
    out.unreadable.push(rel);
    out.warnings.push({ path: join(rootRel, rel), problem: 'unreadable', detail: describe(error) });
    return null;
  }
}

function join(a: string, b: string): string {
  if (a === '') return b;
  return b === '' ? a : `${a}/${b}`;
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ?? e.message ?? String(error);
}
