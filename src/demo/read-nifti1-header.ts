import { gunzipSync } from 'node:zlib';
import { NIFTI1_DATATYPES, NIFTI1_HEADER_SIZE, NIFTI1_OFFSETS, type Nifti1Datatype } from './nifti1.js';

/** The header fields of a NIfTI-1 file that tests and quick checks care about. */
export interface Nifti1Header {
  readonly littleEndian: boolean;
  readonly dims: number[];
  /** The datatype name when it is one the writer supports, else the raw code as a string. */
  readonly datatype: Nifti1Datatype | `code ${number}`;
  readonly bitpix: number;
  /** `pixdim[1..dim[0]]`: voxel sizes, then the repetition time for 4D images. */
  readonly pixdim: number[];
  readonly qfac: number;
  readonly voxOffset: number;
  readonly sclSlope: number;
  readonly sclInter: number;
  readonly qformCode: number;
  readonly sformCode: number;
  /** quatern_b, quatern_c, quatern_d. */
  readonly quatern: number[];
  readonly qoffset: number[];
  /** srow_x, srow_y, srow_z: the sform affine, 3 rows of 4. */
  readonly srow: number[][];
  readonly description: string;
  readonly magic: string;
}

/**
 * Reads the header of a NIfTI-1 file held in memory, gunzipping it first when it starts with the gzip
 * magic. Either byte order is accepted, the way real readers detect it: by where `sizeof_hdr` reads 348.
 * Throws a RangeError when the bytes are no NIfTI-1 file.
 */
export function readNifti1Header(file: Uint8Array): Nifti1Header {
  const bytes = file[0] === 0x1f && file[1] === 0x8b ? gunzipSync(file) : file;
  if (bytes.length < NIFTI1_HEADER_SIZE)
    throw new RangeError(`too short for a NIfTI-1 header: ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const o = NIFTI1_OFFSETS;
  const littleEndian = view.getInt32(o.sizeofHdr, true) === NIFTI1_HEADER_SIZE;
  if (!littleEndian && view.getInt32(o.sizeofHdr, false) !== NIFTI1_HEADER_SIZE) {
    throw new RangeError('sizeof_hdr is not 348 in either byte order: not a NIfTI-1 file');
  }
  const i16 = (offset: number): number => view.getInt16(offset, littleEndian);
  const f32 = (offset: number): number => view.getFloat32(offset, littleEndian);
  const f32s = (offset: number, count: number): number[] =>
    Array.from({ length: count }, (_, i) => f32(offset + 4 * i));
  const text = (offset: number, length: number): string =>
    Buffer.from(bytes.subarray(offset, offset + length))
      .toString('latin1')
      .replace(/\0.*$/s, '');

  const rank = i16(o.dim);
  if (rank < 1 || rank > 7) throw new RangeError(`dim[0] is ${rank}, outside 1..7`);
  const code = i16(o.datatype);
  const known = Object.entries(NIFTI1_DATATYPES).find(([, t]) => t.code === code);
  return {
    littleEndian,
    dims: Array.from({ length: rank }, (_, i) => i16(o.dim + 2 * (i + 1))),
    datatype: known === undefined ? `code ${code}` : (known[0] as Nifti1Datatype),
    bitpix: i16(o.bitpix),
    pixdim: f32s(o.pixdim + 4, rank),
    qfac: f32(o.pixdim),
    voxOffset: f32(o.voxOffset),
    sclSlope: f32(o.sclSlope),
    sclInter: f32(o.sclInter),
    qformCode: i16(o.qformCode),
    sformCode: i16(o.sformCode),
    quatern: f32s(o.quatern, 3),
    qoffset: f32s(o.quatern + 12, 3),
    srow: [0, 1, 2].map((r) => f32s(o.srow + 16 * r, 4)),
    description: text(o.descrip, 80),
    // The magic keeps its terminating NUL out: 'n+1' for single files, 'ni1' for header/image pairs.
    magic: text(o.magic, 4),
  };
}
