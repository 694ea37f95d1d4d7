import { invert4 } from '../imaging/nifti-affine.js';
import { badTractFile } from './tract-errors.js';
import type { VoxelSpace } from './tractogram.js';

/** The parsed 1000-byte header of a TrackVis `.trk` file (versions 1 and 2). */
export interface TrkHeader {
  readonly littleEndian: boolean;
  readonly version: number;
  readonly space: VoxelSpace;
  readonly voxelOrder: string;
  /** Per-point scalars: name and number of values (nibabel stores `name\0N` for N > 1). */
  readonly scalars: readonly { readonly name: string; readonly components: number }[];
  readonly properties: readonly { readonly name: string; readonly components: number }[];
  /** `n_count`; 0 means not recorded. */
  readonly count: number;
  /** voxmm (TrackVis' corner-based voxel millimetres) to world RAS mm, row-major 4x4. */
  readonly toWorld: Float64Array;
}

export const TRK_HEADER_SIZE = 1000;
const AXES: Readonly<Record<string, readonly [number, number]>> = {
  L: [0, -1],
  R: [0, 1],
  P: [1, -1],
  A: [1, 1],
  I: [2, -1],
  S: [2, 1],
};

/** Parses a TRK header (first 1000 bytes). */
export function parseTrkHeader(bytes: Uint8Array, path: string): TrkHeader {
  if (bytes.length < TRK_HEADER_SIZE)
    throw badTractFile(path, `only ${bytes.length} bytes, less than a TRK header`);
  const magic = Buffer.from(bytes.subarray(0, 5)).toString('latin1');
  if (magic !== 'TRACK')
    throw badTractFile(path, `it does not start with 'TRACK' (not a TrackVis .trk file)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, TRK_HEADER_SIZE);
  const le = view.getInt32(996, true) === TRK_HEADER_SIZE;
  if (!le && view.getInt32(996, false) !== TRK_HEADER_SIZE) {
    throw badTractFile(
      path,
      `hdr_size is ${view.getInt32(996, true)}, not ${TRK_HEADER_SIZE}, in either byte order`,
    );
  }
  const version = view.getInt32(992, le);
  if (version < 1 || version > 3) throw badTractFile(path, `version ${version} is not 1 or 2`);
  const dims = [0, 1, 2].map((i) => view.getInt16(6 + 2 * i, le)) as [number, number, number];
  const voxelSizes = [0, 1, 2].map((i) => view.getFloat32(12 + 4 * i, le)) as [number, number, number];
  if (voxelSizes.some((v) => !(v > 0) || !Number.isFinite(v))) {
    throw badTractFile(path, `voxel sizes [${voxelSizes.join(', ')}] are not positive`);
  }
  const nScalars = view.getInt16(36, le);
  const nProperties = view.getInt16(238, le);
  if (nScalars < 0 || nScalars > 1000 || nProperties < 0 || nProperties > 1000) {
    throw badTractFile(path, `n_scalars ${nScalars} or n_properties ${nProperties} is absurd`);
  }
  let vox2ras = Float64Array.from({ length: 16 }, (_, i) => view.getFloat32(440 + 4 * i, le));
  if (version === 1 || vox2ras[15] === 0)
    vox2ras = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  let voxelOrder = text(bytes, 948, 4).toUpperCase();
  if (voxelOrder === '') voxelOrder = 'LPS'; // TrackVis' default, as nibabel assumes
  if (voxelOrder.length !== 3 || [...voxelOrder].some((c) => AXES[c] === undefined)) {
    throw badTractFile(path, `voxel_order '${voxelOrder}' is not three of L/R, P/A, I/S`);
  }
  const space: VoxelSpace = { dims, voxelSizes, affine: vox2ras };
  return {
    littleEndian: le,
    version,
    space,
    voxelOrder,
    scalars: names(bytes, 38, nScalars),
    properties: names(bytes, 240, nProperties),
    count: view.getInt32(988, le),
    toWorld: voxmmToWorld(space, voxelOrder),
  };
}

/** The header of a TRK file written in `space` (voxel order taken from its affine, so no reorientation). */
export function formatTrkHeader(
  space: VoxelSpace,
  scalars: readonly { name: string; components: number }[],
  properties: readonly { name: string; components: number }[],
  count: number,
): Buffer {
  const bytes = Buffer.alloc(TRK_HEADER_SIZE);
  const view = new DataView(bytes.buffer, bytes.byteOffset, TRK_HEADER_SIZE);
  bytes.write('TRACK', 0, 'latin1');
  space.dims.forEach((d, i) => view.setInt16(6 + 2 * i, d, true));
  space.voxelSizes.forEach((v, i) => view.setFloat32(12 + 4 * i, v, true));
  const put = (at: number, list: readonly { name: string; components: number }[]): number => {
    let slots = 0;
    for (const { name, components } of list) {
      const label = components > 1 ? `${name.slice(0, 17)}\0${components}` : name.slice(0, 19);
      bytes.write(label, at + 20 * slots, 'latin1');
      slots++;
    }
    return list.reduce((n, s) => n + s.components, 0);
  };
  if (scalars.length > 10 || properties.length > 10)
    throw new RangeError('TRK holds at most 10 scalar and 10 property names');
  view.setInt16(36, put(38, scalars), true);
  view.setInt16(238, put(240, properties), true);
  space.affine.forEach((v, i) => view.setFloat32(440 + 4 * i, v, true));
  bytes.write(axisCodes(space.affine), 948, 'latin1');
  view.setInt32(988, count, true);
  view.setInt32(992, 2, true);
  view.setInt32(996, TRK_HEADER_SIZE, true);
  return bytes;
}

/**
 * voxmm to world: scale to voxels, shift by half a voxel (TrackVis counts from the voxel corner, NIfTI
 * from its centre), reorient from the header's voxel order to the affine's, then `vox_to_ras`. The same
 * steps as nibabel's `get_affine_trackvis_to_rasmm`.
 */
export function voxmmToWorld(space: VoxelSpace, voxelOrder: string): Float64Array {
  let m: Float64Array = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  for (let i = 0; i < 3; i++) {
    m[5 * i] = 1 / (space.voxelSizes[i] ?? 1);
    m[4 * i + 3] = -0.5;
  }
  const from = [...voxelOrder].map((c) => AXES[c] ?? [0, 1]);
  const to = [...axisCodes(space.affine)].map((c) => AXES[c] ?? [0, 1]);
  // ornt_transform(from, to), then inv_ornt_aff of it (nibabel.orientations).
  const reorder = new Float64Array(16);
  reorder[15] = 1;
  for (let i = 0; i < 3; i++) {
    const j = to.findIndex(([axis]) => axis === from[i]?.[0]);
    const flip = (from[i]?.[1] ?? 1) === (to[j]?.[1] ?? 1) ? 1 : -1;
    const centre = -((space.dims[i] ?? 1) - 1) / 2;
    reorder[4 * i + j] = flip; // undo the transpose, then the flip (folded into one matrix)
    reorder[4 * i + 3] = flip * centre - centre;
  }
  m = multiply4(reorder, m);
  return multiply4(space.affine, m);
}

/** Inverse of {@link voxmmToWorld} for a file written with {@link formatTrkHeader}. */
export function worldToVoxmm(space: VoxelSpace): Float64Array {
  return invert4(voxmmToWorld(space, axisCodes(space.affine)));
}

/** nibabel's `aff2axcodes` for near-axial affines: per voxel axis, the world direction it runs along. */
export function axisCodes(affine: Float64Array): string {
  const used = new Set<number>();
  const codes = ['', '', ''];
  const columns = [0, 1, 2].sort((a, b) => maxAbs(affine, b) - maxAbs(affine, a));
  for (const j of columns) {
    let best = -1;
    for (let i = 0; i < 3; i++) {
      if (used.has(i)) continue;
      if (best < 0 || Math.abs(affine[4 * i + j] ?? 0) > Math.abs(affine[4 * best + j] ?? 0)) best = i;
    }
    used.add(best);
    const positive = (affine[4 * best + j] ?? 0) >= 0;
    codes[j] = (['LR', 'PA', 'IS'][best] ?? 'LR')[positive ? 1 : 0] ?? 'R';
  }
  return codes.join('');
}

function maxAbs(m: Float64Array, j: number): number {
  return Math.max(...[0, 1, 2].map((i) => Math.abs(m[4 * i + j] ?? 0)));
}

export function multiply4(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(16);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += (a[4 * i + k] ?? 0) * (b[4 * k + j] ?? 0);
      out[4 * i + j] = sum;
    }
  }
  return out;
}

function text(bytes: Uint8Array, at: number, length: number): string {
  return Buffer.from(bytes.subarray(at, at + length))
    .toString('latin1')
    .replace(/\0.*$/s, '')
    .trim();
}

/** Names of scalars or properties: `count` values over 20-byte slots, `name\0N` taking N values. */
function names(bytes: Uint8Array, at: number, count: number): { name: string; components: number }[] {
  const out: { name: string; components: number }[] = [];
  let taken = 0;
  for (let slot = 0; slot < 10 && taken < count; slot++) {
    const raw = Buffer.from(bytes.subarray(at + 20 * slot, at + 20 * slot + 20)).toString('latin1');
    const [name = '', rest = ''] = raw.split('\0');
    const n = /^\d+/.exec(rest) === null ? 1 : Number(/^\d+/.exec(rest)?.[0]);
    const components = Math.min(Math.max(1, n), count - taken);
    out.push({ name: name === '' ? `value${slot}` : name, components });
    taken += components;
  }
  if (taken < count) out.push({ name: `values${out.length}`, components: count - taken });
  return out;
}
