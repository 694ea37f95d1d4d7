import { z } from 'zod';

/** Slice planes a thumbnail can show. */
export const THUMBNAIL_AXES = ['axial', 'coronal', 'sagittal'] as const;
export type ThumbnailAxis = (typeof THUMBNAIL_AXES)[number];

/**
 * Which side of the patient is on the screen's left in axial and coronal views. `neurological`
 * (the default, as MRtrix's mrview and FSLeyes show images): the patient's left is on the left.
 * `radiological` (as scanner consoles and PACS show them): the patient's right is on the left.
 */
export const ORIENTATIONS = ['neurological', 'radiological'] as const;
export type Orientation = (typeof ORIENTATIONS)[number];

/** Largest thumbnail side and slice count accepted: keeps one request's work bounded. */
export const MAX_THUMBNAIL_SIZE = 1024;
export const MAX_THUMBNAIL_SLICES = 16;

/**
 * How a thumbnail is drawn. Defaults: axial, one slice (the middle one), 160 pixels on the longer
 * side of a tile, neurological, window from the 1st to the 99th percentile of the shown non-zero voxels.
 */
export const thumbnailOptionsSchema = z
  .object({
    axis: z.enum(THUMBNAIL_AXES).default('axial'),
    /** Slices shown, evenly spaced through the volume (1 = the middle slice; more make a small mosaic). */
    slices: z.coerce.number().int().min(1).max(MAX_THUMBNAIL_SLICES).default(1),
    /** Pixels on the longer side of each tile. */
    size: z.coerce.number().int().min(8).max(MAX_THUMBNAIL_SIZE).default(160),
    orientation: z.enum(ORIENTATIONS).default('neurological'),
    /** Intensities shown black and white; the robust percentile window when absent. */
    windowLow: z.coerce.number().finite().optional(),
    windowHigh: z.coerce.number().finite().optional(),
  })
  .strict();

export type ThumbnailOptions = z.output<typeof thumbnailOptionsSchema>;

/** The options with every default filled in. */
export function thumbnailOptions(input: z.input<typeof thumbnailOptionsSchema> = {}): ThumbnailOptions {
  return thumbnailOptionsSchema.parse(input);
}
