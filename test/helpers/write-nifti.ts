import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

/** A NIfTI-1 image to write: dims, a row-major voxel-to-world affine (sform), float32 or uint8 data. */
export interface NiftiSpec {
  readonly dims: readonly number[];
  readonly affine: readonly number[];
  readonly data: Float32Array | Uint8Array;
}

/**
 * Writes a single-file NIfTI-1 (`.nii`, or gzipped when the name ends in `.gz`) with the affine as
 * sform (code 1, scanner) and no qform. Test and benchmark data only: synthetic grids whose geometry
 * the tests know exactly.
 */
export function writeNifti(path: string, spec: NiftiSpec): void {
  const header = new DataView(new ArrayBuffer(352));
  header.setInt32(0, 348, true);
  header.setInt16(40, spec.dims.length, true);
  spec.dims.forEach((d, i) => header.setInt16(42 + 2 * i, d, true));
  for (let i = spec.dims.length; i < 7; i++) header.setInt16(42 + 2 * i, 1, true);
  const float = spec.data instanceof Float32Array;
  header.setInt16(70, float ? 16 : 2, true);
  header.setInt16(72, float ? 32 : 8, true);
  header.setFloat32(76, 1, true); // pixdim[0]: qfac
  for (let a = 0; a < 3; a++) {
    const size = Math.hypot(spec.affine[a] ?? 0, spec.affine[4 + a] ?? 0, spec.affine[8 + a] ?? 0);
    header.setFloat32(80 + 4 * a, size, true);
  }
  for (let a = 3; a < spec.dims.length; a++) header.setFloat32(80 + 4 * a, 1, true);
  header.setFloat32(108, 352, true); // vox_offset
  header.setFloat32(112, 1, true); // scl_slope
  header.setInt8(123, 10); // xyzt_units: mm, s
  header.setInt16(252, 0, true); // qform_code
  header.setInt16(254, 1, true); // sform_code
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 4; c++) header.setFloat32(280 + 16 * r + 4 * c, spec.affine[4 * r + c] ?? 0, true);
  new Uint8Array(header.buffer).set(new TextEncoder().encode('n+1\0'), 344);
  const bytes = new Uint8Array(352 + spec.data.byteLength);
  bytes.set(new Uint8Array(header.buffer), 0);
  bytes.set(new Uint8Array(spec.data.buffer, spec.data.byteOffset, spec.data.byteLength), 352);
  writeFileSync(path, path.endsWith('.gz') ? gzipSync(bytes, { level: 1 }) : bytes);
}
