import { join } from 'node:path';
import type { Project } from '../catalog/project-store.js';
import { isCohortError } from '../errors/cohort-error.js';
import type { QcItem } from './qc-items.js';
import type { ThumbnailPool } from './thumbnail-pool.js';
import type { ThumbnailOptions } from './thumbnail-options.js';

/** One study's thumbnail, or why there is none (no matching image, an unreadable file). */
export type MosaicEntry =
  | { readonly item: QcItem; readonly ok: true; readonly png: Buffer; readonly cached: boolean }
  | { readonly item: QcItem; readonly ok: false; readonly reason: string };

/**
 * Thumbnails for every item, one result per item: a study without a matching image or with a file
 * that cannot be read is reported with its reason, and the others are still drawn. Drawn in the
 * pool's threads, all at once; the entries keep the items' order. `onEntry` sees each one as soon as it
 * is ready (the CLI writes its PNG then, while the threads draw the next ones).
 */
export function renderMosaic(
  project: Project,
  items: readonly QcItem[],
  options: ThumbnailOptions,
  pool: ThumbnailPool,
  onEntry?: (entry: MosaicEntry) => void,
): Promise<MosaicEntry[]> {
  return Promise.all(
    items.map(async (item) => {
      const entry = await mosaicEntry(project, item, options, pool);
      onEntry?.(entry);
      return entry;
    }),
  );
}

async function mosaicEntry(
  project: Project,
  item: QcItem,
  options: ThumbnailOptions,
  pool: ThumbnailPool,
): Promise<MosaicEntry> {
  if (item.image === null) return { item, ok: false, reason: 'no file matched the patterns' };
  try {
    const { png, cached } = await pool.thumbnail({
      image: join(project.root, item.image),
      overlay: item.overlay === null ? undefined : join(project.root, item.overlay),
      options,
    });
    return { item, ok: true, png, cached };
  } catch (error) {
    if (!isCohortError(error)) throw error;
    return { item, ok: false, reason: error.message };
  }
}
