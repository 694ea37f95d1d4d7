import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeNiftiFirstVolume, readImageFile } from '../src/imaging/nifti-volume.js';
import { encodePng } from '../src/qc/encode-png.js';
import { renderThumbnail } from '../src/qc/render-thumbnail.js';
import { thumbnailOptions, type ThumbnailAxis, type Orientation } from '../src/qc/thumbnail-options.js';
import { decodePng } from './helpers/decode-png.js';

const DATA = fileURLToPath(new URL('../test-data/', import.meta.url));
/** Debian's python3-nibabel lives under /usr/bin/python3 (a venv's python3 first on PATH would lack it). */
const PYTHON = '/usr/bin/python3';

/**
 * The reference: nibabel reorients to RAS (`as_closest_canonical`), takes the middle slice, and lays
 * it out as the screen shows it, written here from the conventions, not from Cohort's code: rows top
 * to bottom are anterior-to-posterior (axial) or superior-to-inferior (coronal, sagittal); columns run
 * patient left to right (neurological), right to left (radiological), anterior to posterior (sagittal).
 * The window is the volume's min..max, given to both sides, with round-half-up to 8 bits.
 */
const NIBABEL_SCRIPT = `
import json, sys, numpy as np, nibabel as nib
out = []
for case in json.load(sys.stdin):
    img = nib.as_closest_canonical(nib.load(case["path"]))
    data = np.asanyarray(img.dataobj, dtype=np.float64)
    if data.ndim > 3: data = data[..., 0]
    lo, hi = float(data.min()), float(data.max())
    axis = case["axis"]
    if axis == "axial":
        k = data.shape[2] // 2; view = np.flipud(data[:, :, k].T)
    elif axis == "coronal":
        k = data.shape[1] // 2; view = np.flipud(data[:, k, :].T)
    else:
        k = data.shape[0] // 2; view = np.flipud(data[k, :, :].T)[:, ::-1]
    if axis != "sagittal" and case["orientation"] == "radiological": view = view[:, ::-1]
    grey = np.floor(np.clip((view - lo) * 255.0 / (hi - lo), 0, 255) + 0.5).astype(int)
    out.append({"slice": k, "lo": lo, "hi": hi, "shape": list(grey.shape), "pixels": grey.ravel().tolist()})
print(json.dumps(out))
`;

interface Case {
  readonly file: string;
  readonly axis: ThumbnailAxis;
  readonly orientation: Orientation;
}

// anatomical.nii is stored LAS (x flipped), aniso_vox LPS with 4x4x5 mm voxels, ch2 (Colin27) RAS at 1 mm.
const CASES: readonly Case[] = [
  { file: 'nifti/anatomical.nii', axis: 'axial', orientation: 'neurological' },
  { file: 'nifti/anatomical.nii', axis: 'axial', orientation: 'radiological' },
  { file: 'nifti/anatomical.nii', axis: 'coronal', orientation: 'neurological' },
  { file: 'nifti/aniso_vox.nii.gz', axis: 'axial', orientation: 'radiological' },
  { file: 'templates/ch2.nii.gz', axis: 'axial', orientation: 'neurological' },
  { file: 'templates/ch2.nii.gz', axis: 'coronal', orientation: 'radiological' },
  { file: 'templates/ch2.nii.gz', axis: 'sagittal', orientation: 'neurological' },
];

describe('QC thumbnails against nibabel', () => {
  it('show the same middle slice, pixel for pixel, in both left-right conventions', () => {
    const run = spawnSync(PYTHON, ['-c', NIBABEL_SCRIPT], {
      input: JSON.stringify(CASES.map((c) => ({ ...c, path: `${DATA}${c.file}` }))),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const expected = JSON.parse(run.stdout) as Array<{
      slice: number;
      lo: number;
      hi: number;
      shape: [number, number];
      pixels: number[];
    }>;
    CASES.forEach((c, i) => {
      const want = expected[i];
      if (want === undefined) throw new Error(`nibabel gave no answer for ${c.file}`);
      // As the thumbnail cache reads it: the first volume in the file's own type, not float64.
      const path = `${DATA}${c.file}`;
      const volume = decodeNiftiFirstVolume(readImageFile(path), path);
      const [height, width] = want.shape;
      // One pixel per voxel: the longer side of the plane in pixels is its voxel count (square voxels
      // in these planes), so nearest-neighbour sampling picks exactly one voxel per pixel.
      const options = thumbnailOptions({
        axis: c.axis,
        orientation: c.orientation,
        size: Math.max(width, height),
        windowLow: want.lo,
        windowHigh: want.hi,
      });
      const drawn = renderThumbnail(volume, options);
      expect(drawn.sliceIndices, c.file).toEqual([want.slice]);
      // Through the PNG, as the browser gets it.
      const png = decodePng(encodePng(drawn.width, drawn.height, drawn.channels, drawn.pixels));
      expect([png.width, png.height], `${c.file} ${c.axis}`).toEqual([width, height]);
      // Tolerance: exact. Both sides scale the same float64 values with the same window and round half
      // up; a difference of even one grey level means a different voxel or a different scaling.
      const mismatches = [...png.pixels].filter((v, k) => v !== want.pixels[k]).length;
      expect(mismatches, `${c.file} ${c.axis} ${c.orientation}`).toBe(0);
    });
  });
});
