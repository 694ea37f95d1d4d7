import type { NiftiVolume } from '../imaging/nifti-volume.js';
import type { StreamlineBatch } from './tractogram.js';

/**
 * Trilinear sampler of a scalar image at world points, with MRtrix3's edge rules (`Interp::Linear`):
 * outside the grid by more than half a voxel gives `outside` (0, as `tcksample` uses); in the outer half
 * voxel the nearest edge voxel's value is taken; weights below 1e-6 are dropped.
 */
export function makeSampler(volume: NiftiVolume, outside = 0): (x: number, y: number, z: number) => number {
  const [nx, ny, nz] = volume.dims;
  const m = volume.inverse;
  const [m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0, m5 = 0, m6 = 0, m7 = 0, m8 = 0, m9 = 0, m10 = 0, m11 = 0] =
    m;
  const data = volume.data;
  const clamp = (v: number, n: number): number => (v < 0 ? 0 : v >= n ? n - 1 : v);
  return (x, y, z) => {
    const vx = m0 * x + m1 * y + m2 * z + m3;
    const vy = m4 * x + m5 * y + m6 * z + m7;
    const vz = m8 * x + m9 * y + m10 * z + m11;
    if (vx <= -0.5 || vx >= nx - 0.5 || vy <= -0.5 || vy >= ny - 0.5 || vz <= -0.5 || vz >= nz - 0.5)
      return outside;
    const cx = Math.floor(vx);
    const cy = Math.floor(vy);
    const cz = Math.floor(vz);
    const fx = vx < 0 || vx > nx - 1 ? 0 : vx - cx;
    const fy = vy < 0 || vy > ny - 1 ? 0 : vy - cy;
    const fz = vz < 0 || vz > nz - 1 ? 0 : vz - cz;
    let value = 0;
    for (let dz = 0; dz < 2; dz++) {
      const wz = dz === 0 ? 1 - fz : fz;
      const kz = clamp(cz + dz, nz);
      for (let dy = 0; dy < 2; dy++) {
        const wyz = (dy === 0 ? 1 - fy : fy) * wz;
        const ky = clamp(cy + dy, ny);
        for (let dx = 0; dx < 2; dx++) {
          const w = (dx === 0 ? 1 - fx : fx) * wyz;
          if (w < 1e-6) continue;
          value += w * (data[clamp(cx + dx, nx) + nx * (ky + ny * kz)] ?? 0);
        }
      }
    }
    return value;
  };
}

/**
 * Per streamline, the length-weighted mean of the image along it, as `tcksample -stat_tck mean`: each
 * vertex weighs half the length of its two adjacent steps (trapezoid rule), so closely spaced vertices
 * do not count more. NaN for a streamline without length.
 */
export function sampleMeans(
  batch: StreamlineBatch,
  sample: (x: number, y: number, z: number) => number,
): Float64Array {
  const p = batch.positions;
  const out = new Float64Array(batch.count);
  const step = (a: number, b: number): number =>
    Math.hypot(
      (p[3 * b] ?? 0) - (p[3 * a] ?? 0),
      (p[3 * b + 1] ?? 0) - (p[3 * a + 1] ?? 0),
      (p[3 * b + 2] ?? 0) - (p[3 * a + 2] ?? 0),
    );
  for (let i = 0; i < batch.count; i++) {
    const first = batch.offsets[i] ?? 0;
    const last = batch.offsets[i + 1] ?? 0;
    let integral = 0;
    let total = 0;
    for (let k = first; k < last; k++) {
      let w = 0;
      if (k > first) w += step(k - 1, k);
      if (k < last - 1) w += step(k, k + 1);
      w *= 0.5;
      integral += w * sample(p[3 * k] ?? 0, p[3 * k + 1] ?? 0, p[3 * k + 2] ?? 0);
      total += w;
    }
    out[i] = total > 0 ? integral / total : last > first ? 0 : NaN;
  }
  return out;
}
