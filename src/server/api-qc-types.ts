import { z } from 'zod';
import type { QcItem } from '../qc/qc-items.js';
import { thumbnailOptionsSchema } from '../qc/thumbnail-options.js';

/**
 * The QC mosaic's request and response shapes (part of api-types.ts, which re-exports them):
 * `/api/projects/:project/qc/items` and `/api/projects/:project/qc/thumbnail`.
 */

const patterns = z
  .union([z.string().min(1).max(1000), z.array(z.string().min(1).max(1000)).max(20)])
  .transform((p) => (typeof p === 'string' ? [p] : p));

/**
 * GET .../qc/items?filter=&pattern=&overlay=: the studies matching the filter-bar text, each with the
 * first file (root-relative) matching the patterns (repeat `pattern` for several, tried in order) and
 * the overlay's. Tags are the studies' current tags.
 */
export const qcItemsQuery = z.object({
  filter: z.string().max(10_000).default(''),
  pattern: patterns,
  overlay: patterns.optional(),
});
export type { QcItem };
export interface QcItemsResponse {
  readonly items: readonly QcItem[];
}

/**
 * GET .../qc/thumbnail?path=&overlay=&axis=&slices=&size=&orientation=&windowLow=&windowHigh=: a PNG
 * of the image at `path` (relative to the project root), cached on the server by the files' content.
 */
export const qcThumbnailQuery = thumbnailOptionsSchema.extend({
  path: z.string().min(1).max(4096),
  overlay: z.string().min(1).max(4096).optional(),
});
export type { ThumbnailAxis, Orientation } from '../qc/thumbnail-options.js';
export { THUMBNAIL_AXES, ORIENTATIONS } from '../qc/thumbnail-options.js';
