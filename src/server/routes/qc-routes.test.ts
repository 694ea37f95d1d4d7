import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNifti1 } from '../../demo/nifti1.js';
import { call, createServerFixture, type ServerFixture } from '../test-fixture.js';

let f: ServerFixture;
let ana: string;
let cy: string;

beforeAll(async () => {
  f = await createServerFixture();
  ana = await f.login('ana');
  cy = await f.login('cy');
  const data = Float32Array.from({ length: 4 * 5 * 3 }, (_, i) => i);
  writeNifti1(join(f.alpha.root, 'P001/20200101/t1/real.nii'), {
    dims: [4, 5, 3],
    pixdim: [1, 1, 1],
    datatype: 'float32',
    data,
  });
});
afterAll(async () => {
  await f.close();
});

describe('QC endpoints', () => {
  it('list one image per study by patterns tried in order, with the studies tags', async () => {
    const res = await call(
      f.app,
      ana,
      'GET',
      '/api/projects/alpha/qc/items?pattern=t1/none*&pattern=t1/s001*',
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      items: [
        expect.objectContaining({ ref: 'P001#20200101', image: 'P001/20200101/t1/s001.nii', overlay: null }),
        expect.objectContaining({ ref: 'P002#20200202', image: 'P002/20200202/t1/s001.nii', overlay: null }),
      ],
    });
    const missing = await call(f.app, ana, 'GET', '/api/projects/alpha/qc/items');
    expect(missing.status).toBe(400);
  });

  it('draw a PNG once and serve it from the cache after', async () => {
    const path = '/api/projects/alpha/qc/thumbnail?path=P001/20200101/t1/real.nii&size=20&axis=coronal';
    const first = await f.app.request(path, { headers: { Cookie: ana } });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/png');
    expect(first.headers.get('x-cohort-cache')).toBe('miss');
    const again = await f.app.request(path, { headers: { Cookie: ana } });
    expect(again.headers.get('x-cohort-cache')).toBe('hit');
    expect(Buffer.from(await again.arrayBuffer())).toEqual(Buffer.from(await first.arrayBuffer()));
  });

  it('refuse what is no image, lies outside the root, bad options, and other projects', async () => {
    const notNifti = await call(
      f.app,
      ana,
      'GET',
      '/api/projects/alpha/qc/thumbnail?path=P001/20200101/t1/s001.nii',
    );
    expect(notNifti.status).toBe(400);
    expect(JSON.stringify(notNifti.json)).toContain('is not a readable NIfTI image');
    const outside = await call(f.app, ana, 'GET', '/api/projects/alpha/qc/thumbnail?path=../secret.txt');
    expect(outside.status).toBe(400);
    expect(JSON.stringify(outside.json)).toContain('PATH_OUTSIDE_ROOT');
    const badAxis = await call(
      f.app,
      ana,
      'GET',
      '/api/projects/alpha/qc/thumbnail?path=P001/20200101/t1/real.nii&axis=oblique',
    );
    expect(badAxis.status).toBe(400);
    const other = await call(
      f.app,
      cy,
      'GET',
      '/api/projects/alpha/qc/thumbnail?path=P001/20200101/t1/real.nii',
    );
    expect([403, 404]).toContain(other.status);
  });

  it('answer other routes while thumbnails are drawn (in the pool threads, not on the main thread)', async () => {
    // A 1 mm head-sized float32 volume (26 MiB): hashing, reading and drawing take a while.
    const n = 190;
    writeNifti1(join(f.alpha.root, 'P001/20200101/t1/big.nii'), {
      dims: [n, n, n],
      pixdim: [1, 1, 1],
      datatype: 'float32',
      data: Float32Array.from({ length: n * n * n }, (_, i) => i % 251),
    });
    const answered: string[] = [];
    const thumbnails = [32, 48, 64, 80].map((size) =>
      Promise.resolve(
        f.app.request(`/api/projects/alpha/qc/thumbnail?path=P001/20200101/t1/big.nii&size=${size}`, {
          headers: { Cookie: ana },
        }),
      ).then((res) => {
        answered.push(`thumbnail ${size}`);
        return res;
      }),
    );
    // Drawn on the main thread, the four would all be done before this request is even read.
    const other = call(f.app, ana, 'GET', '/api/projects/alpha/subjects').then((res) => {
      answered.push('subjects');
      return res;
    });
    expect((await other).status).toBe(200);
    expect(answered).toEqual(['subjects']);
    for (const res of await Promise.all(thumbnails)) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
    }
    expect(answered).toHaveLength(5);
  });

  it('answer empty plots when nothing was recorded', async () => {
    const losses = await call(f.app, ana, 'GET', '/api/projects/alpha/plots/losses');
    expect(losses.json).toEqual({ points: [], problems: [] });
    const measures = await call(f.app, ana, 'GET', '/api/projects/alpha/plots/measures?groups=control');
    expect(measures.json).toEqual({ points: [] });
  });
});
