import type { NiftiFirstVolume } from '../imaging/nifti-volume.js';

/** The preview's voxel budget: 128^3, an eighth of a 256^3 volume; below it images are sent whole. */
export const PREVIEW_VOXELS = 128 ** 3;

/**
 * A quick first frame of a large image: every f-th voxel along each axis of its first volume (f the
 * smallest integer that brings it under `maxVoxels`), float32, as an uncompressed NIfTI-1 file whose
 * sform places each kept voxel where it was. Nearest voxels, not averages, so masks and labels keep
 * their values. Returns null when the image is already small enough to be sent as it is.
 */
export function previewNifti(volume: NiftiFirstVolume, maxVoxels = PREVIEW_VOXELS): Buffer | null {
  const [nx, ny, nz] = volume.dims;
  const voxels = nx * ny * nz;
  if (voxels <= maxVoxels && volume.volumes === 1) return null;
  let f = 1;
  while (Math.ceil(nx / f) * Math.ceil(ny / f) * Math.ceil(nz / f) > maxVoxels) f++;
  // The voxel kept from each f-block: its middle one, so the preview sits centred on the original.
  const c = Math.floor((f - 1) / 2);
  const size = (n: number): number => Math.max(1, Math.floor((n - 1 - Math.min(c, n - 1)) / f) + 1);
  const [mx, my, mz] = [size(nx), size(ny), size(nz)];
  const offset = 352;
  const bytes = Buffer.alloc(offset + mx * my * mz * 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset + offset, mx * my * mz);
  const src = volume.data;
  let at = 0;
  for (let k = 0; k < mz; k++) {
    const z = Math.min(nz - 1, k * f + c) * nx * ny;
    for (let j = 0; j < my; j++) {
      const yz = z + Math.min(ny - 1, j * f + c) * nx;
      for (let i = 0; i < mx; i++) data[at++] = src[yz + Math.min(nx - 1, i * f + c)] ?? 0;
    }
  }
  const a = volume.affine;
  view.setInt32(0, 348, true);
  view.setInt16(40, 3, true);
  [mx, my, mz, 1, 1, 1, 1].forEach((n, i) => view.setInt16(42 + 2 * i, n, true));
  view.setInt16(70, 16, true); // float32
  view.setInt16(72, 32, true);
  view.setFloat32(76, 1, true);
  volume.voxelSizes.forEach((s, i) => view.setFloat32(80 + 4 * i, s * f, true));
  view.setFloat32(108, offset, true);
  view.setFloat32(112, 1, true);
  view.setUint8(123, 2); // mm
  view.setInt16(254, 1, true); // sform: scanner anatomical; no qform
  for (let r = 0; r < 3; r++) {
    const row = [0, 1, 2].map((col) => a[4 * r + col] ?? 0);
    row.forEach((v, col) => view.setFloat32(280 + 4 * (4 * r + col), v * f, true));
    const shift = row.reduce((s, v) => s + v * c, 0);
    view.setFloat32(280 + 4 * (4 * r + 3), (a[4 * r + 3] ?? 0) + shift, true);
  }
  bytes.write('n+1\0', 344, 'latin1');
  return bytes;
}
