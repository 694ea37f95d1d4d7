import type { Layout } from '../layout/layout.js';
import type { FolderScan } from './scan-folder.js';
import type { ContainerChanges, ScannedFile } from './scan-types.js';

/** A file as the catalog knows it: [path, size, mtime_ms, present]. Raw rows, to keep the rescan cheap. */
export type KnownFile = [string, number, number, number];

/**
 * Compares a folder scan with the catalog's rows for the same folder. Files below folders that could
 * not be read are never reported removed: we did not look, so we cannot know.
 */
export function diffContainer(
  kind: 'study' | 'analysis',
  name: string,
  folder: string,
  scan: FolderScan,
  known: readonly KnownFile[],
  layout: Layout,
): ContainerChanges {
  const byPath = new Map<string, KnownFile>();
  for (const row of known) byPath.set(row[0], row);
  const upserts: ScannedFile[] = [];
  let added = 0;
  let changed = 0;
  let unchanged = 0;
  for (const file of scan.files) {
    const row = byPath.get(file.path);
    if (row === undefined) {
      added++;
    } else {
      byPath.delete(file.path);
      if (row[1] === file.size && row[2] === file.mtimeMs && row[3] === 1) {
        unchanged++;
        continue;
      }
      changed++;
    }
    const entities = layout.entitiesOf(file.path);
    upserts.push({ ...file, entities: entities === null ? null : JSON.stringify(entities) });
  }
  const removed: string[] = [];
  for (const row of byPath.values()) {
    if (row[3] === 1 && !isBelowAny(row[0], scan.unreadable)) removed.push(row[0]);
  }
  return { kind, name, folder, upserts, added, changed, unchanged, removed };
}

function isBelowAny(path: string, folders: readonly string[]): boolean {
  return folders.some((f) => f === '' || path === f || path.startsWith(`${f}/`));
}
