/** The header fields the reader needs, from either NIfTI version. */
export interface RawNiftiHeader {
  readonly version: 1 | 2;
  readonly le: boolean;
  readonly dim: number[];
  readonly pixdim: number[];
  readonly datatype: number;
  readonly voxOffset: number;
  readonly slope: number;
  readonly inter: number;
  readonly qformCode: number;
  readonly sformCode: number;
  /** quatern_b, c, d, qoffset_x, y, z. */
  readonly quatern: number[];
  /** srow_x, srow_y, srow_z (12 values). */
  readonly srow: number[];
}

/**
 * The voxel-to-world affine of a NIfTI header, chosen as MRtrix3 3.0 does so that voxel lookups agree
 * with its tools to the last digit: the sform (its columns normalised, times the pixdim voxel sizes)
 * when `sform_code` is set, unless a qform is also set and the two grids disagree by more than a tenth
 * of a voxel (MRtrix then keeps the qform); else the qform; else the voxel sizes alone. Row-major 4x4.
 */
export function niftiAffine(h: RawNiftiHeader): Float64Array {
  const q = h.qformCode > 0 ? qformAffine(h) : undefined;
  if (h.sformCode > 0) {
    const s = sformAffine(h);
    return q === undefined || gridsMatch(s, q, h) ? s : q;
  }
  if (q !== undefined) return q;
  const [sx, sy, sz] = voxelSizes(h);
  return Float64Array.from([sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, sz, 0, 0, 0, 0, 1]);
}

function voxelSizes(h: RawNiftiHeader): [number, number, number] {
  const [sx = 1, sy = 1, sz = 1] = [h.pixdim[1], h.pixdim[2], h.pixdim[3]].map((v) =>
    v === undefined || !(Math.abs(v) > 0) ? 1 : Math.abs(v),
  );
  return [sx, sy, sz];
}

function sformAffine(h: RawNiftiHeader): Float64Array {
  const out = new Float64Array(16);
  out.set(h.srow.slice(0, 12));
  out[15] = 1;
  voxelSizes(h).forEach((size, j) => {
    const norm = Math.hypot(out[j] ?? 0, out[4 + j] ?? 0, out[8 + j] ?? 0);
    if (norm > 0) for (let i = 0; i < 3; i++) out[4 * i + j] = ((out[4 * i + j] ?? 0) / norm) * size;
  });
  return out;
}

function qformAffine(h: RawNiftiHeader): Float64Array {
  const [b = 0, c = 0, d = 0, qx = 0, qy = 0, qz = 0] = h.quatern;
  let [w, x, y, z] = [0, b, c, d];
  const squared = b * b + c * c + d * d;
  if (1 - squared < 1e-7) {
    const norm = Math.sqrt(squared);
    [x, y, z] = [b / norm, c / norm, d / norm];
  } else {
    w = Math.sqrt(1 - squared);
  }
  // Rotation matrix of the unit quaternion (w, x, y, z), as Eigen's Quaternion::matrix().
  const r = [
    [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
  ];
  const qfac = (h.pixdim[0] ?? 1) >= 0 ? 1 : -1;
  const [sx, sy, sz] = voxelSizes(h);
  const scale = [sx, sy, sz * qfac];
  const out = new Float64Array(16);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) out[4 * i + j] = (r[i]?.[j] ?? 0) * (scale[j] ?? 1);
  }
  [out[3], out[7], out[11], out[15]] = [qx, qy, qz, 1];
  return out;
}

/** Whether the grid corners of two affines lie within a tenth of a voxel of each other. */
function gridsMatch(a: Float64Array, b: Float64Array, h: RawNiftiHeader): boolean {
  const tolerance = 0.1 * Math.min(...voxelSizes(h));
  const dims = [h.dim[1] ?? 1, h.dim[2] ?? 1, h.dim[3] ?? 1].map((n) => Math.max(0, n - 1));
  for (let corner = 0; corner < 8; corner++) {
    const v = dims.map((n, axis) => (corner & (1 << axis) ? n : 0));
    for (let i = 0; i < 3; i++) {
      let d = (a[4 * i + 3] ?? 0) - (b[4 * i + 3] ?? 0);
      for (let j = 0; j < 3; j++) d += ((a[4 * i + j] ?? 0) - (b[4 * i + j] ?? 0)) * (v[j] ?? 0);
      if (Math.abs(d) > tolerance) return false;
    }
  }
  return true;
}

/** Inverse of a row-major 4x4 affine (last row 0 0 0 1). */
export function invert4(m: Float64Array): Float64Array {
  const a = (i: number, j: number): number => m[4 * i + j] ?? 0;
  const det =
    a(0, 0) * (a(1, 1) * a(2, 2) - a(1, 2) * a(2, 1)) -
    a(0, 1) * (a(1, 0) * a(2, 2) - a(1, 2) * a(2, 0)) +
    a(0, 2) * (a(1, 0) * a(2, 1) - a(1, 1) * a(2, 0));
  if (det === 0 || !Number.isFinite(det)) throw new RangeError('the affine is singular');
  const inv = new Float64Array(16);
  inv[0] = (a(1, 1) * a(2, 2) - a(1, 2) * a(2, 1)) / det;
  inv[1] = (a(0, 2) * a(2, 1) - a(0, 1) * a(2, 2)) / det;
  inv[2] = (a(0, 1) * a(1, 2) - a(0, 2) * a(1, 1)) / det;
  inv[4] = (a(1, 2) * a(2, 0) - a(1, 0) * a(2, 2)) / det;
  inv[5] = (a(0, 0) * a(2, 2) - a(0, 2) * a(2, 0)) / det;
  inv[6] = (a(0, 2) * a(1, 0) - a(0, 0) * a(1, 2)) / det;
  inv[8] = (a(1, 0) * a(2, 1) - a(1, 1) * a(2, 0)) / det;
  inv[9] = (a(0, 1) * a(2, 0) - a(0, 0) * a(2, 1)) / det;
  inv[10] = (a(0, 0) * a(1, 1) - a(0, 1) * a(1, 0)) / det;
  for (let i = 0; i < 3; i++) {
    inv[4 * i + 3] = -(
      (inv[4 * i] ?? 0) * a(0, 3) +
      (inv[4 * i + 1] ?? 0) * a(1, 3) +
      (inv[4 * i + 2] ?? 0) * a(2, 3)
    );
  }
  inv[15] = 1;
  return inv;
}
