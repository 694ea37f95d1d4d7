import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { demoFilePaths, generateDemoProject } from './demo-project.js';
import { NIFTI1_VOX_OFFSET, rasAffine } from './nifti1.js';
import { readNifti1Header } from './read-nifti1-header.js';

/**
 * Interpreters tried in order. A pyenv or venv `python3` first on the PATH does not see Debian's
 * python3-nibabel, which lives under /usr/bin/python3.
 */
const PYTHONS = ['python3', '/usr/bin/python3'];

/** Loads each image (paths come on stdin as JSON, so no quoting is involved) and reports what nibabel sees. */
const NIBABEL_SCRIPT = `
import json, sys, nibabel, numpy
out = []
for path in json.load(sys.stdin):
    img = nibabel.load(path)
    hdr = img.header
    out.append({
        "shape": list(img.shape),
        "dtype": str(img.get_data_dtype()),
        "affine": img.affine.tolist(),
        "qform_code": int(hdr["qform_code"]),
        "sform_code": int(hdr["sform_code"]),
        "qform_equals_sform": bool(numpy.allclose(img.get_qform(), img.get_sform())),
        "zooms": [float(z) for z in hdr.get_zooms()],
        "units": list(hdr.get_xyzt_units()),
        "sum": float(numpy.asanyarray(img.dataobj, dtype=numpy.float64).sum()),
    })
print(json.dumps(out))
`;

function findNibabelPython(): string {
  for (const python of PYTHONS) {
    if (spawnSync(python, ['-c', 'import nibabel'], { stdio: 'ignore' }).status === 0) return python;
  }
  throw new Error(
    `No python3 with nibabel found (tried ${PYTHONS.join(', ')}). Run the CI setup script, ` +
      'which installs it with `apt-get install -y python3-nibabel`.',
  );
}

/** Sum of the voxels as this project reads them, to compare with what nibabel decodes. */
function voxelSum(file: Buffer): number {
  const bytes = file[0] === 0x1f ? gunzipSync(file) : file;
  const header = readNifti1Header(bytes);
  const step = header.bitpix / 8;
  let sum = 0;
  for (let at = NIFTI1_VOX_OFFSET; at < bytes.length; at += step) {
    sum += header.datatype === 'int16' ? bytes.readInt16LE(at) : bytes.readFloatLE(at);
  }
  return sum;
}

describe('demo images read by nibabel', () => {
  it('have the shape, dtype, affine and voxels the writer meant', () => {
    const python = findNibabelPython();
    const root = join(tempDir(), 'demo');
    const summary = generateDemoProject(root, { subjects: 12, seed: 4 });
    const images = demoFilePaths(summary.plan).filter((p) => /\.nii(\.gz)?$/.test(p));
    // One of each kind per extension, plus the awkward names.
    const picked = new Map<string, string>();
    for (const path of images) {
      const kind = path.split('/')[2]?.toLowerCase().replace(/^\d+_/, '') ?? '';
      picked.set(`${kind}${path.endsWith('.gz') ? '.gz' : ''}`, path);
    }
    const sample = [
      ...new Set([...picked.values(), ...summary.quirks.spaceInName, ...summary.quirks.unicode]),
    ].filter((p) => /\.nii(\.gz)?$/.test(p));
    expect(sample.some((p) => p.endsWith('.nii'))).toBe(true);
    expect(sample.some((p) => p.endsWith('.nii.gz'))).toBe(true);

    const run = spawnSync(python, ['-c', NIBABEL_SCRIPT], {
      input: JSON.stringify(sample.map((p) => join(root, p))),
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const seen = JSON.parse(run.stdout) as Array<Record<string, unknown>>;

    sample.forEach((path, i) => {
      const file = readFileSync(join(root, path));
      const header = readNifti1Header(file);
      const nib = seen[i];
      expect(nib?.shape, path).toEqual(header.dims);
      expect(nib?.dtype, path).toBe(header.datatype === 'int16' ? 'int16' : 'float32');
      // The header stores float32; nibabel computes the affine in float64 from it, so compare to 1e-4 mm.
      const affine = [...rasAffine(header.dims, header.pixdim), [0, 0, 0, 1]].flat();
      const nibAffine = (nib?.affine as number[][]).flat();
      expect(nibAffine, path).toHaveLength(16);
      nibAffine.forEach((value, k) => expect(value, path).toBeCloseTo(affine[k] ?? NaN, 4));
      expect(nib).toMatchObject({
        qform_code: 1,
        sform_code: 1,
        qform_equals_sform: true,
        units: ['mm', 'sec'],
      });
      expect(nib?.zooms, path).toEqual(header.pixdim.map((z) => Math.fround(z)));
      expect(nib?.sum as number, path).toBeCloseTo(voxelSum(file), 0);
    });
    const dims = sample.map((p) => readNifti1Header(readFileSync(join(root, p))).dims.length);
    expect(dims).toContain(3);
    expect(dims).toContain(4);
  });
});
