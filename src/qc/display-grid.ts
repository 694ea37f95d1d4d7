import type { NiftiVolume } from '../imaging/nifti-volume.js';
import type { ThumbnailAxis, ThumbnailOptions } from './thumbnail-options.js';

/** Where each pixel of one tile comes from in the volume. */
export interface DisplayGrid {
  readonly width: number;
  readonly height: number;
  /** Slices along the voxel axis closest to the plane's normal. */
  readonly sliceCount: number;
  /** Voxel indices (i, j, k) under pixel (column, row) of slice `slice`. */
  voxel(column: number, row: number, slice: number): [number, number, number];
  /**
   * Index into `volume.data` (first volume) of pixel (column, row) of slice `slice`: the sum of the
   * three parts, each precomputed once per tile, since every screen axis runs along one voxel axis.
   */
  readonly columnOffsets: Int32Array;
  readonly rowOffsets: Int32Array;
  sliceOffset(slice: number): number;
}

/** World axes (0 = R, 1 = A, 2 = S) across the screen (left to right), down it (top to bottom), and through it. */
const PLANES: Readonly<Record<ThumbnailAxis, readonly [number, number, number]>> = {
  axial: [0, 1, 2],
  coronal: [0, 2, 1],
  sagittal: [1, 2, 0],
};

/**
 * Lays a volume out on the screen for one plane. Each world axis is matched to the voxel axis whose
 * direction is closest to it (as nibabel's `io_orientation` does), so any storage order (LPS, RAS,
 * sagittal acquisitions) shows the same way; an oblique image is shown along its nearest axes, not
 * resampled. Screen conventions: anterior (axial) or superior (coronal, sagittal) at the top;
 * sagittal views have anterior on the left; axial and coronal views follow `options.orientation`.
 * Pixels are square in millimetres: the longer side of the plane gets `options.size` pixels.
 */
export function displayGrid(
  volume: Pick<NiftiVolume, 'dims' | 'voxelSizes' | 'affine'>,
  options: Pick<ThumbnailOptions, 'axis' | 'size' | 'orientation'>,
): DisplayGrid {
  const axes = voxelAxesOfWorld(volume.affine);
  const [across, down, through] = PLANES[options.axis].map((w) => axes[w] ?? { axis: w, sign: 1 }) as [
    AxisMatch,
    AxisMatch,
    AxisMatch,
  ];
  const dims = volume.dims;
  const size = (m: AxisMatch): number => dims[m.axis] ?? 1;
  const mm = (m: AxisMatch): number => (volume.voxelSizes[m.axis] ?? 1) * size(m);
  const pixelMm = Math.max(mm(across), mm(down)) / options.size;
  const width = Math.max(1, Math.round(mm(across) / pixelMm));
  const height = Math.max(1, Math.round(mm(down) / pixelMm));
  // Neurological: the patient's left (-R) on the screen's left, so R grows left to right; radiological
  // the reverse. Sagittal: anterior on the left, so A shrinks left to right.
  const acrossIncreasing = options.axis === 'sagittal' ? false : options.orientation === 'neurological';
  const index = (m: AxisMatch, pixel: number, pixels: number, increasing: boolean): number => {
    const n = size(m);
    const along = Math.min(n - 1, Math.floor(((pixel + 0.5) * n) / pixels));
    // `along` counts voxels in the screen's direction; flip when the voxel axis runs the other way.
    return m.sign > 0 === increasing ? along : n - 1 - along;
  };
  const voxel = (column: number, row: number, slice: number): [number, number, number] => {
    const ijk: [number, number, number] = [0, 0, 0];
    ijk[across.axis] = index(across, column, width, acrossIncreasing);
    ijk[down.axis] = index(down, row, height, false); // top of the screen: the most anterior/superior
    ijk[through.axis] = through.sign > 0 ? slice : size(through) - 1 - slice;
    return ijk;
  };
  const strides = [1, dims[0], dims[0] * dims[1]];
  const stride = (m: AxisMatch): number => strides[m.axis] ?? 0;
  return {
    width,
    height,
    sliceCount: size(through),
    voxel,
    columnOffsets: Int32Array.from(
      { length: width },
      (_, c) => index(across, c, width, acrossIncreasing) * stride(across),
    ),
    rowOffsets: Int32Array.from({ length: height }, (_, r) => index(down, r, height, false) * stride(down)),
    sliceOffset: (slice) => (through.sign > 0 ? slice : size(through) - 1 - slice) * stride(through),
  };
}

interface AxisMatch {
  /** Voxel axis 0..2. */
  readonly axis: number;
  /** +1 when the voxel index grows towards the world axis' positive end (R, A, S). */
  readonly sign: 1 | -1;
}

/** For each world axis (R, A, S), the voxel axis pointing closest to it; each voxel axis used once. */
function voxelAxesOfWorld(affine: Float64Array): AxisMatch[] {
  const out: AxisMatch[] = [];
  const used = new Set<number>();
  // Greedy by largest absolute direction cosine, the usual choice for near-orthogonal scanner affines.
  const candidates: { world: number; voxel: number; weight: number; sign: 1 | -1 }[] = [];
  for (let voxel = 0; voxel < 3; voxel++) {
    const column = [0, 1, 2].map((w) => affine[4 * w + voxel] ?? 0);
    const norm = Math.hypot(...column) || 1;
    column.forEach((value, world) =>
      candidates.push({ world, voxel, weight: Math.abs(value) / norm, sign: value < 0 ? -1 : 1 }),
    );
  }
  candidates.sort((a, b) => b.weight - a.weight);
  for (const c of candidates) {
    if (out[c.world] !== undefined || used.has(c.voxel)) continue;
    out[c.world] = { axis: c.voxel, sign: c.sign };
    used.add(c.voxel);
  }
  return out;
}
