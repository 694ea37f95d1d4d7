import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { CohortError, invalidInput } from '../errors/cohort-error.js';
import { invert4, niftiAffine, type RawNiftiHeader } from './nifti-affine.js';

/**
 * A NIfTI-1 or NIfTI-2 volume read whole into memory, with the voxel values scaled (`scl_slope`,
 * `scl_inter`) into float64 and the voxel-to-world affine chosen as MRtrix3 does (sform when set, else
 * qform, else the voxel sizes). Enough for masks, scalar maps and reference grids; 4D images keep all
 * volumes (`data` runs x fastest, then y, z, t).
 */
export interface NiftiVolume {
  readonly path: string;
  /** `[nx, ny, nz]`; extra dimensions are in `volumes`. */
  readonly dims: readonly [number, number, number];
  readonly volumes: number;
  readonly voxelSizes: readonly [number, number, number];
  /** Voxel (centre) to world (RAS mm), row-major 4x4. */
  readonly affine: Float64Array;
  /** World to voxel, row-major 4x4. */
  readonly inverse: Float64Array;
  readonly data: Float64Array;
  /** The raw header bytes (348 or 540), kept so maps on this grid copy its geometry exactly. */
  readonly header: Uint8Array;
  readonly littleEndian: boolean;
  readonly version: 1 | 2;
}

type Reader = (view: DataView, offset: number, littleEndian: boolean) => number;

/** NIfTI datatype codes this reader decodes: [bytes per voxel, reader]. */
const DATATYPES: Readonly<Record<number, readonly [number, Reader]>> = {
  2: [1, (v, o) => v.getUint8(o)],
  4: [2, (v, o, le) => v.getInt16(o, le)],
  8: [4, (v, o, le) => v.getInt32(o, le)],
  16: [4, (v, o, le) => v.getFloat32(o, le)],
  64: [8, (v, o, le) => v.getFloat64(o, le)],
  256: [1, (v, o) => v.getInt8(o)],
  512: [2, (v, o, le) => v.getUint16(o, le)],
  768: [4, (v, o, le) => v.getUint32(o, le)],
  1024: [8, (v, o, le) => Number(v.getBigInt64(o, le))],
  1280: [8, (v, o, le) => Number(v.getBigUint64(o, le))],
};

/** Largest volume read whole (voxels x volumes): protects against absurd headers. */
const MAX_VOXELS = 2 ** 30;

/**
 * Reads a `.nii` or `.nii.gz` file (NIfTI-1 or NIfTI-2, either byte order).
 *
 * @throws CohortError INVALID_INPUT naming the file and what is wrong with it.
 */
export function readNiftiVolume(path: string): NiftiVolume {
  const d = decodeNifti(readImageFile(path), path);
  const count = d.voxels * d.volumes;
  const data = new Float64Array(count);
  for (let i = 0, o = d.h.voxOffset; i < count; i++, o += d.size)
    data[i] = d.read(d.view, o, d.h.le) * d.slope + d.inter;
  return { ...d.grid, data };
}

/** A NIfTI image's first volume with values that may be a view of the file's own type (see below). */
export interface NiftiFirstVolume extends Omit<NiftiVolume, 'data'> {
  /** The first volume's scaled values, x fastest: a typed array of the stored type where no scaling,
   * byte swapping or conversion is needed (no copy), else float64. */
  readonly data: ArrayLike<number>;
}

/** Typed arrays that view stored voxels directly, by NIfTI datatype code. */
const VIEWS: Readonly<
  Record<number, new (buffer: ArrayBuffer, offset: number, length: number) => ArrayLike<number>>
> = {
  2: Uint8Array,
  4: Int16Array,
  8: Int32Array,
  16: Float32Array,
  64: Float64Array,
  256: Int8Array,
  512: Uint16Array,
  768: Uint32Array,
};
const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * The first volume of a NIfTI image given as the file's bytes (`.nii` or gzip). For thumbnails: it
 * neither converts every voxel to float64 nor touches later volumes of a 4D image, which was most of
 * the time of drawing one.
 *
 * @throws CohortError INVALID_INPUT naming `path` and what is wrong with the bytes.
 */
export function decodeNiftiFirstVolume(file: Uint8Array, path: string): NiftiFirstVolume {
  const d = decodeNifti(file, path);
  const View = VIEWS[d.h.datatype];
  if (View !== undefined && d.slope === 1 && d.inter === 0 && d.h.le === HOST_LITTLE_ENDIAN) {
    const start = d.bytes.byteOffset + d.h.voxOffset;
    // Typed arrays need their element alignment: copy the volume's bytes only when the offset is odd.
    const aligned = start % d.size === 0;
    const buffer = aligned
      ? (d.bytes.buffer as ArrayBuffer)
      : d.bytes.slice(d.h.voxOffset, d.h.voxOffset + d.voxels * d.size).buffer;
    return { ...d.grid, data: new View(buffer, aligned ? start : 0, d.voxels) };
  }
  const data = new Float64Array(d.voxels);
  for (let i = 0, o = d.h.voxOffset; i < d.voxels; i++, o += d.size)
    data[i] = d.read(d.view, o, d.h.le) * d.slope + d.inter;
  return { ...d.grid, data };
}

/** A file's bytes, or a FILESYSTEM error naming it. */
export function readImageFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CohortError('FILESYSTEM', `Cannot read image ${path}: ${(error as Error).message}`, {
      hint: 'Check the path and its permissions.',
      cause: error,
    });
  }
}

interface Decoded {
  readonly grid: Omit<NiftiVolume, 'data'>;
  readonly h: RawNiftiHeader;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly read: Reader;
  readonly size: number;
  /** Voxels in one volume, and volumes. */
  readonly voxels: number;
  readonly volumes: number;
  readonly slope: number;
  readonly inter: number;
}

/** Unzips and checks a file's bytes: header, datatype, dimensions, length. */
function decodeNifti(file: Uint8Array, path: string): Decoded {
  const bad = (problem: string): CohortError =>
    invalidInput(`${path} is not a readable NIfTI image: ${problem}.`, 'Give a .nii or .nii.gz file.', {
      path,
    });
  let bytes: Uint8Array;
  try {
    bytes = file[0] === 0x1f && file[1] === 0x8b ? gunzipSync(file) : file;
  } catch {
    throw bad('its gzip stream is corrupt or truncated');
  }
  if (bytes.length < 348) throw bad(`only ${bytes.length} bytes, less than a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = parseHeader(view, bad);
  const entry = DATATYPES[h.datatype];
  if (entry === undefined)
    throw bad(`datatype code ${h.datatype} is not supported (use an integer or float type)`);
  const [size, read] = entry;
  const [nx, ny, nz] = [h.dim[1] ?? 1, h.dim[2] ?? 1, h.dim[3] ?? 1];
  const volumes = h.dim.slice(4, (h.dim[0] ?? 3) + 1).reduce((a, b) => a * Math.max(1, b), 1);
  const count = nx * ny * nz * volumes;
  if (!(count > 0) || count > MAX_VOXELS) throw bad(`dimensions [${h.dim.join(', ')}] are absurd`);
  if (h.voxOffset + count * size > bytes.length) {
    throw bad(
      `it is truncated: ${count} voxels need ${h.voxOffset + count * size} bytes, it has ${bytes.length}`,
    );
  }
  const affine = niftiAffine(h);
  return {
    grid: {
      path,
      dims: [nx, ny, nz],
      volumes,
      voxelSizes: [Math.abs(h.pixdim[1] ?? 1), Math.abs(h.pixdim[2] ?? 1), Math.abs(h.pixdim[3] ?? 1)],
      affine,
      inverse: invert4(affine),
      header: bytes.slice(0, h.version === 1 ? 348 : 540),
      littleEndian: h.le,
      version: h.version,
    },
    h,
    bytes,
    view,
    read,
    size,
    voxels: nx * ny * nz,
    volumes,
    slope: h.slope === 0 || !Number.isFinite(h.slope) ? 1 : h.slope,
    inter: Number.isFinite(h.inter) ? h.inter : 0,
  };
}

function parseHeader(view: DataView, bad: (problem: string) => CohortError): RawNiftiHeader {
  for (const le of [true, false]) {
    const sizeof = view.getInt32(0, le);
    if (sizeof === 348) {
      const f32 = (o: number): number => view.getFloat32(o, le);
      return {
        version: 1,
        le,
        dim: Array.from({ length: 8 }, (_, i) => view.getInt16(40 + 2 * i, le)),
        pixdim: Array.from({ length: 8 }, (_, i) => f32(76 + 4 * i)),
        datatype: view.getInt16(70, le),
        voxOffset: Math.max(352, Math.round(f32(108))),
        slope: f32(112),
        inter: f32(116),
        qformCode: view.getInt16(252, le),
        sformCode: view.getInt16(254, le),
        quatern: Array.from({ length: 6 }, (_, i) => f32(256 + 4 * i)),
        srow: Array.from({ length: 12 }, (_, i) => f32(280 + 4 * i)),
      };
    }
    if (sizeof === 540 && view.byteLength >= 540) {
      const f64 = (o: number): number => view.getFloat64(o, le);
      const i64 = (o: number): number => Number(view.getBigInt64(o, le));
      return {
        version: 2,
        le,
        dim: Array.from({ length: 8 }, (_, i) => i64(16 + 8 * i)),
        pixdim: Array.from({ length: 8 }, (_, i) => f64(104 + 8 * i)),
        datatype: view.getInt16(12, le),
        voxOffset: i64(168),
        slope: f64(176),
        inter: f64(184),
        qformCode: view.getInt32(344, le),
        sformCode: view.getInt32(348, le),
        quatern: Array.from({ length: 6 }, (_, i) => f64(352 + 8 * i)),
        srow: Array.from({ length: 12 }, (_, i) => f64(400 + 8 * i)),
      };
    }
  }
  throw bad('sizeof_hdr is neither 348 (NIfTI-1) nor 540 (NIfTI-2) in either byte order');
}
