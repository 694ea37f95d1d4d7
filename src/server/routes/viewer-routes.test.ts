import { copyFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTracts } from '../../tracts/index.js';
import { writeNifti1 } from '../../demo/nifti1.js';
import { decodeNiftiFirstVolume } from '../../imaging/nifti-volume.js';
import { decodeTractMesh } from '../../viewer/tract-mesh-format.js';
import { call, createServerFixture, type ServerFixture } from '../test-fixture.js';

const DATA = fileURLToPath(new URL('../../../test-data/', import.meta.url));
const TRK = 'P001/20200101/dwi/AF_L.trk';
const T1 = 'P001/20200101/t1/ch2.nii.gz';

let f: ServerFixture;
let ana: string;
let cy: string;

beforeAll(async () => {
  f = await createServerFixture();
  ana = await f.login('ana');
  cy = await f.login('cy');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(f.alpha.root, 'P001/20200101/dwi'), { recursive: true });
  copyFileSync(join(DATA, 'tracts/bundles/sub_1/AF_L.trk'), join(f.alpha.root, TRK));
  copyFileSync(join(DATA, 'templates/ch2.nii.gz'), join(f.alpha.root, T1));
  // A link out of the root, to a tract file elsewhere: never read through the viewer.
  symlinkSync(join(DATA, 'tracts/standard.tck'), join(f.alpha.root, 'P001/20200101/dwi/outside.tck'));
});
afterAll(async () => {
  await f.close();
});

async function mesh(auth: string, method: string, path: string, body?: unknown) {
  const res = await f.app.request(path, {
    method,
    headers: {
      Cookie: auth,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, buffer: await res.arrayBuffer() };
}

describe('viewer routes', () => {
  it('sends a tract file as a mesh, with a sampled scalar', async () => {
    const tracts = readTracts(join(f.alpha.root, TRK));
    const q = new URLSearchParams({ path: TRK, scalar: T1 });
    const res = await mesh(ana, 'GET', `/api/projects/alpha/viewer/tracts?${q.toString()}`);
    expect(res.status).toBe(200);
    const m = decodeTractMesh(res.buffer);
    expect(m.header).toMatchObject({ total: tracts.count, shown: tracts.count, stride: 1 });
    expect(m.scalar?.length).toBe(m.header.vertices);
    expect(m.header.scalar?.max).toBeGreaterThan(0);
  });

  it('selects like the tract library and reports the statistics', async () => {
    const tracts = readTracts(join(f.alpha.root, TRK));
    const mid = Math.floor(((tracts.offsets[0] ?? 0) + (tracts.offsets[1] ?? 0)) / 2);
    const centre = [0, 1, 2].map((a) => tracts.positions[3 * mid + a] ?? 0);
    const res = await mesh(ana, 'POST', '/api/projects/alpha/viewer/tracts/select', {
      path: TRK,
      scalar: T1,
      rules: [{ kind: 'include', sphere: [...centre, 3] }],
    });
    expect(res.status).toBe(200);
    const m = decodeTractMesh(res.buffer);
    expect(m.header.total).toBeGreaterThan(0);
    expect(m.header.selection).toMatchObject({ fileTotal: tracts.count });
    expect(m.header.selection?.meanLength).toBeGreaterThan(10);
    expect(m.header.selection?.meanScalar).toBeGreaterThan(0);
  });

  it('refuses other projects, paths out of the root, and masks out of the root', async () => {
    const q = (path: string): string =>
      `/api/projects/alpha/viewer/tracts?${new URLSearchParams({ path }).toString()}`;
    // A project the user has no role in answers like one that does not exist.
    expect((await call(f.app, cy, 'GET', q(TRK))).status).toBe(404);
    for (const path of [
      '../beta/Q001/20210101/t1/s001.nii',
      '/etc/passwd',
      'P001/20200101/dwi/outside.tck',
    ]) {
      const res = await call(f.app, ana, 'GET', q(path));
      expect([400, 403, 404]).toContain(res.status);
      expect(JSON.stringify(res.json)).toMatch(/PATH_OUTSIDE_ROOT|NOT_FOUND/);
    }
    const masked = await call(f.app, ana, 'POST', '/api/projects/alpha/viewer/tracts/select', {
      path: TRK,
      rules: [{ kind: 'include', mask: '../../secret.txt' }],
    });
    expect(masked.status).not.toBe(200);
    expect(JSON.stringify(masked.json)).toMatch(/PATH_OUTSIDE_ROOT/);
    const bad = await call(f.app, ana, 'POST', '/api/projects/alpha/viewer/tracts/select', {
      path: TRK,
      rules: [{ kind: 'include', sphere: [0, 0, 0, -1] }],
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toMatch(/radius must be positive/);
  });

  it('answers range requests on file content', async () => {
    const path = `/api/projects/alpha/file/content?${new URLSearchParams({ path: T1 }).toString()}`;
    const whole = await f.app.request(path, { headers: { Cookie: ana } });
    const bytes = new Uint8Array(await whole.arrayBuffer());
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const part = await f.app.request(path, { headers: { Cookie: ana, Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${bytes.length}`);
    expect([...new Uint8Array(await part.arrayBuffer())]).toEqual([...bytes.subarray(10, 20)]);
    const tail = await f.app.request(path, { headers: { Cookie: ana, Range: 'bytes=-4' } });
    expect([...new Uint8Array(await tail.arrayBuffer())]).toEqual([...bytes.subarray(bytes.length - 4)]);
    const beyond = await f.app.request(path, { headers: { Cookie: ana, Range: `bytes=${bytes.length}-` } });
    expect(beyond.status).toBe(416);
  });
});

describe('viewer preview', () => {
  it("sends a large image's downsampled first frame, nothing for a small one, and checks rights", async () => {
    // Colin27, 181 x 217 x 181 (7.1 M voxels): every 2nd voxel, 91 x 109 x 91.
    const res = await f.app.request(`/api/projects/alpha/viewer/preview?path=${T1}`, {
      headers: { Cookie: ana },
    });
    expect(res.status).toBe(200);
    const preview = decodeNiftiFirstVolume(new Uint8Array(await res.arrayBuffer()), 'preview.nii');
    expect(preview.dims).toEqual([91, 109, 91]);
    writeNifti1(join(f.alpha.root, 'P001/20200101/t1/small.nii'), {
      dims: [4, 5, 3],
      pixdim: [1, 1, 1],
      datatype: 'float32',
      data: new Float32Array(60),
    });
    const small = await call(
      f.app,
      ana,
      'GET',
      '/api/projects/alpha/viewer/preview?path=P001/20200101/t1/small.nii',
    );
    expect(small.status).toBe(204);
    const outside = await call(f.app, ana, 'GET', '/api/projects/alpha/viewer/preview?path=../x.nii');
    expect(outside.status).toBe(400);
    const other = await call(f.app, cy, 'GET', `/api/projects/alpha/viewer/preview?path=${T1}`);
    expect([403, 404]).toContain(other.status);
  });
});
