import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { NiftiVolume } from './nifti-volume.js';

/**
 * Encodes a 3D float32 image on the grid of `reference`: its header is copied byte for byte (so the
 * qform, sform, voxel sizes and byte order are exactly the reference's) and only the fields describing
 * the voxels change: one volume, float32, no scaling, data right after the header.
 */
export function encodeNiftiLike(reference: NiftiVolume, data: Float32Array, gzip = false): Buffer {
  const [nx, ny, nz] = reference.dims;
  if (data.length !== nx * ny * nz) {
    throw new RangeError(`expected ${nx * ny * nz} voxels for the reference grid, got ${data.length}`);
  }
  const v1 = reference.version === 1;
  const voxOffset = v1 ? 352 : 544;
  const bytes = Buffer.alloc(voxOffset + data.length * 4);
  bytes.set(reference.header.subarray(0, v1 ? 348 : 540));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = reference.littleEndian;
  let min = Infinity;
  let max = -Infinity;
  for (const value of data) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (data.length === 0) [min, max] = [0, 0];
  if (v1) {
    view.setInt16(40, 3, le);
    for (let i = 4; i < 8; i++) view.setInt16(40 + 2 * i, 1, le);
    view.setInt16(70, 16, le);
    view.setInt16(72, 32, le);
    view.setFloat32(108, voxOffset, le);
    view.setFloat32(112, 1, le);
    view.setFloat32(116, 0, le);
    view.setFloat32(124, max, le);
    view.setFloat32(128, min, le);
  } else {
    view.setBigInt64(16, 3n, le);
    for (let i = 4; i < 8; i++) view.setBigInt64(16 + 8 * i, 1n, le);
    view.setInt16(12, 16, le);
    view.setInt16(14, 32, le);
    view.setBigInt64(168, BigInt(voxOffset), le);
    view.setFloat64(176, 1, le);
    view.setFloat64(184, 0, le);
    view.setFloat64(192, max, le);
    view.setFloat64(200, min, le);
  }
  for (let i = 0; i < data.length; i++) view.setFloat32(voxOffset + 4 * i, data[i] ?? 0, le);
  return gzip ? gzipSync(bytes) : bytes;
}

/** Writes {@link encodeNiftiLike} to `path`, gzip-compressed when it ends in `.gz`. */
export function writeNiftiLike(path: string, reference: NiftiVolume, data: Float32Array): void {
  writeFileSync(path, encodeNiftiLike(reference, data, path.endsWith('.gz')));
}
