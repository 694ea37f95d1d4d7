import type { NiftiFirstVolume } from '../imaging/nifti-volume.js';
import { displayGrid, type DisplayGrid } from './display-grid.js';
import type { ThumbnailOptions } from './thumbnail-options.js';
import { nthSmallest } from '../imaging/nth-smallest.js';

/** Drawn pixels: grey (1 channel) without an overlay, RGB (3) with one. Rows top to bottom. */
export interface ThumbnailPixels {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly pixels: Uint8Array;
  /** The intensity window used (black, white). */
  readonly window: readonly [number, number];
  /**
   * Each tile's slice, left to right then top to bottom, counted along the plane's normal from the
   * inferior (axial), posterior (coronal) or left (sagittal) end: the index in a RAS-reoriented volume.
   */
  readonly sliceIndices: readonly number[];
}

/** What drawing needs of an image: its grid and its first volume's values (a NiftiVolume will do). */
export type ThumbnailVolume = Pick<NiftiFirstVolume, 'dims' | 'voxelSizes' | 'affine' | 'inverse' | 'data'>;

/** Overlay voxels above zero are blended in with this opacity. */
const OVERLAY_ALPHA = 0.45;
/** Label colours (value 1 red, 2 green, ...), as most segmentation viewers start their lookup tables. */
const LABEL_COLOURS: readonly (readonly [number, number, number])[] = [
  [255, 0, 0],
  [0, 200, 0],
  [0, 90, 255],
  [255, 210, 0],
  [0, 220, 220],
  [230, 0, 230],
];
/** At most this many pixel values are sorted to find the window's percentiles. */
const WINDOW_SAMPLES = 8192;
/** Background between the tiles of a mosaic. */
const GAP = 2;

/**
 * Draws a slice (or a small mosaic of slices) of `volume` (its first volume when 4D) as 8-bit pixels,
 * in the plane and left-right convention of `options` (see display-grid.ts), nearest-neighbour sampled
 * at square pixels in millimetres. `overlay`, when given, is sampled through both images' affines at
 * every pixel's world position, so a mask on another grid still lands where it belongs.
 */
export function renderThumbnail(
  volume: ThumbnailVolume,
  options: ThumbnailOptions,
  overlay?: ThumbnailVolume,
): ThumbnailPixels {
  const grid = displayGrid(volume, options);
  const count = Math.min(options.slices, grid.sliceCount);
  const sliceIndices = Array.from({ length: count }, (_, i) =>
    count === 1
      ? Math.floor(grid.sliceCount / 2)
      : Math.round(((i + 1) * (grid.sliceCount - 1)) / (count + 1)),
  );
  const columns = count <= 4 ? count : Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  const width = columns * grid.width + (columns - 1) * GAP;
  const height = rows * grid.height + (rows - 1) * GAP;
  const values = sliceIndices.map((s) => sampleSlice(volume, grid, s));
  const window = intensityWindow(values, options);
  const channels = overlay === undefined ? 1 : 3;
  const pixels = new Uint8Array(width * height * channels);
  const scale = 255 / (window[1] - window[0] || 1);
  values.forEach((tile, t) => {
    const x0 = (t % columns) * (grid.width + GAP);
    const y0 = Math.floor(t / columns) * (grid.height + GAP);
    const labels =
      overlay === undefined ? undefined : sampleOverlay(volume, overlay, grid, sliceIndices[t] ?? 0);
    for (let r = 0; r < grid.height; r++) {
      for (let c = 0; c < grid.width; c++) {
        const at = r * grid.width + c;
        const v = tile[at] ?? 0;
        const grey = Math.round(Math.min(255, Math.max(0, (v - window[0]) * scale)));
        const out = ((y0 + r) * width + x0 + c) * channels;
        if (labels === undefined) {
          pixels[out] = grey;
          continue;
        }
        const label = labels[at] ?? 0;
        const colour = label > 0 ? LABEL_COLOURS[(label - 1) % LABEL_COLOURS.length] : undefined;
        for (let k = 0; k < 3; k++) {
          pixels[out + k] =
            colour === undefined
              ? grey
              : Math.round(grey * (1 - OVERLAY_ALPHA) + (colour[k] ?? 0) * OVERLAY_ALPHA);
        }
      }
    }
  });
  return { width, height, channels, pixels, window, sliceIndices };
}

/** The voxel values under each pixel of one tile, row by row. */
function sampleSlice(volume: ThumbnailVolume, grid: DisplayGrid, slice: number): Float64Array {
  const out = new Float64Array(grid.width * grid.height);
  const base = grid.sliceOffset(slice);
  for (let r = 0; r < grid.height; r++) {
    const row = base + (grid.rowOffsets[r] ?? 0);
    for (let c = 0; c < grid.width; c++)
      out[r * grid.width + c] = volume.data[row + (grid.columnOffsets[c] ?? 0)] ?? 0;
  }
  return out;
}

/** Overlay labels (rounded, 0 outside its grid) at the world position of each pixel's base voxel. */
function sampleOverlay(
  base: ThumbnailVolume,
  overlay: ThumbnailVolume,
  grid: DisplayGrid,
  slice: number,
): Int32Array {
  const out = new Int32Array(grid.width * grid.height);
  const m = multiply(overlay.inverse, base.affine);
  const [nx, ny, nz] = overlay.dims;
  for (let r = 0; r < grid.height; r++) {
    for (let c = 0; c < grid.width; c++) {
      const [i, j, k] = grid.voxel(c, r, slice);
      const at = (row: number): number =>
        Math.round(
          (m[4 * row] ?? 0) * i +
            (m[4 * row + 1] ?? 0) * j +
            (m[4 * row + 2] ?? 0) * k +
            (m[4 * row + 3] ?? 0),
        );
      const [x, y, z] = [at(0), at(1), at(2)];
      if (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz) continue;
      const value = overlay.data[x + nx * (y + ny * z)] ?? 0;
      out[r * grid.width + c] = value > 0 ? Math.max(1, Math.round(value)) : 0;
    }
  }
  return out;
}

function multiply(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(16);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += (a[4 * i + k] ?? 0) * (b[4 * k + j] ?? 0);
      out[4 * i + j] = s;
    }
  }
  return out;
}

/**
 * The given window, else from zero (or the 1st percentile when it is negative, as in CT) to the 99th
 * percentile of the shown non-zero voxels: background zeros would pull a percentile down, and a few
 * bright vessels or artefacts the high end up.
 */
function intensityWindow(tiles: readonly Float64Array[], options: ThumbnailOptions): [number, number] {
  if (options.windowLow !== undefined && options.windowHigh !== undefined)
    return [options.windowLow, options.windowHigh];
  let count = 0;
  for (const tile of tiles)
    for (let i = 0; i < tile.length; i++) {
      const v = tile[i] ?? 0;
      if (v !== 0 && Number.isFinite(v)) count++;
    }
  if (count === 0) return [options.windowLow ?? 0, options.windowHigh ?? 1];
  // Every step-th non-zero pixel: enough for percentiles, and sorting all of an upsampled mosaic's
  // pixels was most of the drawing time.
  const step = Math.ceil(count / WINDOW_SAMPLES);
  const shown = new Float64Array(Math.ceil(count / step));
  let seen = 0;
  for (const tile of tiles)
    for (let i = 0; i < tile.length; i++) {
      const v = tile[i] ?? 0;
      if (v !== 0 && Number.isFinite(v) && seen++ % step === 0) shown[(seen - 1) / step] = v;
    }
  // The k-th smallest by selection, not a full sort: the same values, in linear time.
  const pick = (p: number): number => nthSmallest(shown, Math.floor(p * (shown.length - 1)));
  const low = options.windowLow ?? Math.min(0, pick(0.01));
  const high = options.windowHigh ?? pick(0.99);
  return [low, high > low ? high : low + 1];
}
