import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

/**
 * Writer of NIfTI-1 single-file volumes (`.nii`, `.nii.gz`), just enough of the format for the demo:
 * little-endian, int16 or float32 voxels, 3D or 4D, with a RAS qform and sform. The byte offsets follow
 * `nifti1.h`; the reader in `read-nifti1-header.ts` uses the same table.
 */

/** Voxel types the writer supports, with their NIfTI-1 datatype codes and sizes. */
export const NIFTI1_DATATYPES = {
  int16: { code: 4, bitpix: 16 },
  float32: { code: 16, bitpix: 32 },
} as const;

export type Nifti1Datatype = keyof typeof NIFTI1_DATATYPES;

/** Size of the fixed header; the 4 extension-flag bytes follow it and the voxels start at `VOX_OFFSET`. */
export const NIFTI1_HEADER_SIZE = 348;
/** Where voxel data starts in a single-file `.nii`: header plus the (empty) extension flag. */
export const NIFTI1_VOX_OFFSET = 352;

/** Byte offsets of the header fields the demo writes and the reader reads (from `nifti1.h`). */
export const NIFTI1_OFFSETS = {
  sizeofHdr: 0,
  regular: 38,
  dim: 40,
  datatype: 70,
  bitpix: 72,
  pixdim: 76,
  voxOffset: 108,
  sclSlope: 112,
  sclInter: 116,
  xyztUnits: 123,
  calMax: 124,
  calMin: 128,
  descrip: 148,
  qformCode: 252,
  sformCode: 254,
  quatern: 256, // b, c, d, then qoffset x, y, z: six float32
  srow: 280, // srow_x, srow_y, srow_z: twelve float32
  magic: 344,
} as const;

/** `NIFTI_XFORM_SCANNER_ANAT`: coordinates are scanner-based RAS millimetres. */
const XFORM_SCANNER_ANAT = 1;
/** `NIFTI_UNITS_MM | NIFTI_UNITS_SEC`: space in millimetres, time in seconds. */
const UNITS_MM_SEC = 2 | 8;

/** A volume to write. `data` runs x fastest, then y, z and t, as NIfTI stores it. */
export interface Nifti1Image {
  /** `[nx, ny, nz]` or `[nx, ny, nz, nt]`. */
  readonly dims: readonly number[];
  /** Voxel size in mm per spatial axis, then the repetition time in seconds for 4D images. */
  readonly pixdim: readonly number[];
  readonly datatype: Nifti1Datatype;
  readonly data: Int16Array | Float32Array;
  /** Free text of at most 79 ASCII characters, shown by viewers as the image description. */
  readonly description?: string;
}

/**
 * The voxel-to-world affine (3 rows of 4) the writer stores as sform and qform: axes along RAS with the
 * volume centred on the origin, which is what a viewer needs to show the "head" upright and centred.
 */
export function rasAffine(dims: readonly number[], pixdim: readonly number[]): number[][] {
  return [0, 1, 2].map((axis) => {
    const row = [0, 0, 0, 0];
    const size = pixdim[axis] ?? 1;
    row[axis] = size;
    row[3] = (-size * ((dims[axis] ?? 1) - 1)) / 2;
    return row;
  });
}

/**
 * Encodes an image as a NIfTI-1 single file, gzip-compressed when `gzip` is true (for `.nii.gz`).
 * Deterministic: the same image gives the same bytes (gzip stores no time stamp here).
 */
export function encodeNifti1(image: Nifti1Image, options: { readonly gzip?: boolean } = {}): Buffer {
  const { dims, pixdim, datatype, data } = image;
  checkImage(image);
  const type = NIFTI1_DATATYPES[datatype];
  const bytes = Buffer.alloc(NIFTI1_VOX_OFFSET + data.byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const o = NIFTI1_OFFSETS;
  const f32 = (offset: number, value: number): void => view.setFloat32(offset, value, true);

  view.setInt32(o.sizeofHdr, NIFTI1_HEADER_SIZE, true);
  bytes.write('r', o.regular, 'latin1'); // legacy ANALYZE field some readers still check
  view.setInt16(o.dim, dims.length, true);
  dims.forEach((n, i) => view.setInt16(o.dim + 2 * (i + 1), n, true));
  for (let i = dims.length + 1; i < 8; i++) view.setInt16(o.dim + 2 * i, 1, true);
  view.setInt16(o.datatype, type.code, true);
  view.setInt16(o.bitpix, type.bitpix, true);
  f32(o.pixdim, 1); // qfac: +1, a right-handed voxel grid
  for (let i = 0; i < 7; i++) f32(o.pixdim + 4 * (i + 1), pixdim[i] ?? 1);
  f32(o.voxOffset, NIFTI1_VOX_OFFSET);
  f32(o.sclSlope, 1);
  f32(o.sclInter, 0);
  view.setUint8(o.xyztUnits, UNITS_MM_SEC);
  const [min, max] = range(data);
  f32(o.calMin, min);
  f32(o.calMax, max);
  bytes.write((image.description ?? '').slice(0, 79), o.descrip, 'latin1');

  // The affine is a pure scale plus shift, so the qform quaternion is the identity (b = c = d = 0).
  const affine = rasAffine(dims, pixdim);
  view.setInt16(o.qformCode, XFORM_SCANNER_ANAT, true);
  view.setInt16(o.sformCode, XFORM_SCANNER_ANAT, true);
  affine.forEach((row, r) => f32(o.quatern + 12 + 4 * r, row[3] ?? 0));
  affine.flat().forEach((value, i) => f32(o.srow + 4 * i, value));
  bytes.write('n+1\0', o.magic, 'latin1');

  // Voxels are copied one by one in little-endian order so the file is right on big-endian hosts too.
  const put = datatype === 'int16' ? view.setInt16.bind(view) : view.setFloat32.bind(view);
  const step = type.bitpix / 8;
  for (let i = 0; i < data.length; i++) put(NIFTI1_VOX_OFFSET + i * step, data[i] ?? 0, true);
  return options.gzip === true ? gzipSync(bytes) : bytes;
}

/**
 * Writes an image to `path`, gzip-compressed when the name ends in `.gz`. Returns the bytes written.
 * @example writeNifti1('/tmp/t1.nii.gz', syntheticHead({ ... }))
 */
export function writeNifti1(path: string, image: Nifti1Image): number {
  const bytes = encodeNifti1(image, { gzip: path.endsWith('.gz') });
  writeFileSync(path, bytes);
  return bytes.length;
}

function checkImage({ dims, pixdim, datatype, data }: Nifti1Image): void {
  if (dims.length < 3 || dims.length > 4 || dims.some((n) => !Number.isInteger(n) || n < 1 || n > 32767)) {
    throw new RangeError(`NIfTI dims must be 3 or 4 positive int16 values, got [${dims.join(', ')}]`);
  }
  if (pixdim.length < 3 || pixdim.some((p) => !(p > 0))) {
    throw new RangeError(
      `NIfTI pixdim must hold a positive size per spatial axis, got [${pixdim.join(', ')}]`,
    );
  }
  const voxels = dims.reduce((a, b) => a * b, 1);
  const expected = datatype === 'int16' ? Int16Array : Float32Array;
  if (!(data instanceof expected) || data.length !== voxels) {
    throw new RangeError(
      `NIfTI data must be a ${expected.name} of ${voxels} values for dims [${dims.join(', ')}]`,
    );
  }
}

function range(data: Int16Array | Float32Array): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const value of data) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return data.length === 0 ? [0, 0] : [min, max];
}
