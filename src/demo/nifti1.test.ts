import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeNifti1, NIFTI1_VOX_OFFSET, rasAffine, type Nifti1Image } from './nifti1.js';
import { readNifti1Header } from './read-nifti1-header.js';
import { syntheticHead } from './synthetic-head.js';

const T1_CONTRAST = { background: 0, scalp: 700, skull: 60, gm: 600, wm: 900, csf: 180, lesion: 380 };

function t1(noiseSeed = 2): Nifti1Image {
  return syntheticHead({
    dims: [32, 32, 24],
    pixdim: [6, 7, 7],
    datatype: 'int16',
    contrast: T1_CONTRAST,
    anatomySeed: 1,
    noiseSeed,
    lesion: true,
    description: 'test T1',
  });
}

describe('encodeNifti1', () => {
  it('writes a little-endian NIfTI-1 single file with a RAS qform and sform', () => {
    const image = t1();
    const bytes = encodeNifti1(image);
    expect(bytes.length).toBe(NIFTI1_VOX_OFFSET + 32 * 32 * 24 * 2);
    expect(bytes.readInt32LE(0)).toBe(348);
    expect(bytes.subarray(344, 348)).toEqual(Buffer.from('n+1\0', 'latin1'));
    expect(bytes.readInt32LE(348)).toBe(0); // no extensions follow the header

    const header = readNifti1Header(bytes);
    expect(header).toMatchObject({
      littleEndian: true,
      dims: [32, 32, 24],
      datatype: 'int16',
      bitpix: 16,
      pixdim: [6, 7, 7],
      qfac: 1,
      voxOffset: 352,
      sclSlope: 1,
      sclInter: 0,
      qformCode: 1,
      sformCode: 1,
      quatern: [0, 0, 0],
      magic: 'n+1',
      description: 'test T1',
    });
    expect(header.srow).toEqual([
      [6, 0, 0, -93],
      [0, 7, 0, -108.5],
      [0, 0, 7, -80.5],
    ]);
    expect(header.qoffset).toEqual([-93, -108.5, -80.5]);
    expect(rasAffine([32, 32, 24], [6, 7, 7])).toEqual(header.srow);
  });

  it('stores the voxels as given, x fastest', () => {
    const image = t1();
    const bytes = encodeNifti1(image);
    const stored = new Int16Array(image.data.length);
    for (let i = 0; i < stored.length; i++) stored[i] = bytes.readInt16LE(NIFTI1_VOX_OFFSET + 2 * i);
    // Compared as bytes: vitest's deep equality walks typed arrays element by element, slowly.
    expect(Buffer.from(stored.buffer).equals(Buffer.from(image.data.buffer))).toBe(true);
    // A plausible head: dark corners, bright centre.
    expect(image.data[0]).toBeLessThan(100);
    expect(image.data[16 + 32 * 16 + 32 * 32 * 10]).toBeGreaterThan(400);
  });

  it('writes 4D float32 images with the repetition time as the fourth pixdim', () => {
    const image: Nifti1Image = {
      dims: [4, 3, 2, 5],
      pixdim: [2, 2, 3, 2.5],
      datatype: 'float32',
      data: Float32Array.from({ length: 4 * 3 * 2 * 5 }, (_, i) => i / 3),
    };
    const bytes = encodeNifti1(image);
    const header = readNifti1Header(bytes);
    expect(header).toMatchObject({
      dims: [4, 3, 2, 5],
      datatype: 'float32',
      bitpix: 32,
      pixdim: [2, 2, 3, 2.5],
    });
    expect(bytes.readFloatLE(NIFTI1_VOX_OFFSET + 4 * 7)).toBeCloseTo(7 / 3, 6);
    expect(bytes.length).toBe(NIFTI1_VOX_OFFSET + 120 * 4);
  });

  it('gzips deterministically, to the same bytes uncompressed', () => {
    const plain = encodeNifti1(t1());
    const gz = encodeNifti1(t1(), { gzip: true });
    expect(gz[0]).toBe(0x1f);
    expect(gz.length).toBeLessThan(plain.length);
    expect(gunzipSync(gz).equals(plain)).toBe(true);
    expect(encodeNifti1(t1(), { gzip: true }).equals(gz)).toBe(true);
    expect(readNifti1Header(gz).dims).toEqual([32, 32, 24]);
    expect(encodeNifti1(t1(3)).equals(plain)).toBe(false); // another noise seed, other voxels
  });

  it('rejects data that does not fit the dims', () => {
    const bad: Nifti1Image = {
      dims: [2, 2, 2],
      pixdim: [1, 1, 1],
      datatype: 'int16',
      data: new Int16Array(7),
    };
    expect(() => encodeNifti1(bad)).toThrow(/Int16Array of 8 values/);
    expect(() => encodeNifti1({ ...bad, data: new Float32Array(8) })).toThrow(RangeError);
    expect(() => encodeNifti1({ ...bad, dims: [2, 2], data: new Int16Array(4) })).toThrow(/3 or 4/);
  });
});

describe('readNifti1Header', () => {
  it('reads big-endian headers and refuses non-NIfTI bytes', () => {
    const bytes = Buffer.alloc(352);
    bytes.writeInt32BE(348, 0);
    bytes.writeInt16BE(3, 40);
    [10, 20, 30].forEach((n, i) => bytes.writeInt16BE(n, 42 + 2 * i));
    bytes.writeInt16BE(4, 70);
    bytes.write('n+1\0', 344, 'latin1');
    expect(readNifti1Header(bytes)).toMatchObject({
      littleEndian: false,
      dims: [10, 20, 30],
      datatype: 'int16',
    });
    expect(() => readNifti1Header(Buffer.alloc(400))).toThrow(/not a NIfTI-1 file/);
    expect(() => readNifti1Header(Buffer.from('short'))).toThrow(/too short/);
  });
});
