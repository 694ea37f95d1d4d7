import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Operation, OperationsResponse } from '../api-types.js';
import { call, createServerFixture, type ServerFixture } from '../test-fixture.js';

// Real DICOMs (scripts/fetch-test-data.sh) through real dcm2niix: two volumes of one DWI series.
const DICOM = resolve(import.meta.dirname, '../../../test-data/dicom');

let f: ServerFixture;
let root: string;
let ana: string;
let ben: string;
let inbox: string;

/** A folder of the inbox holding copies of test DICOMs. */
function dicomFolder(name: string, files: readonly string[], under = inbox): string {
  const dir = join(under, name);
  mkdirSync(dir, { recursive: true });
  for (const file of files) copyFileSync(join(DICOM, file), join(dir, file));
  return dir;
}

/** Polls an operation as the page does, until it ended. */
async function ended(auth: string, id: number): Promise<Operation> {
  for (let i = 0; i < 600; i++) {
    const op = (await call(f.app, auth, 'GET', `/api/operations/${id}`)).json as Operation;
    if (op.state !== 'running') return op;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`operation ${id} did not end`);
}

beforeAll(async () => {
  f = await createServerFixture({}, (dir) => ({ importRoots: [join(dir, 'inbox')] }));
  inbox = join(f.dir, 'inbox');
  mkdirSync(inbox);
  root = await f.login('root');
  ana = await f.login('ana');
  ben = await f.login('ben');
});
afterAll(async () => {
  await f?.close();
});

describe('project operations over the API', () => {
  it('creates (server admins) and rescans (run role) as operations that report counts and end done', async () => {
    const folder = join(f.dir, 'gamma tree');
    for (const s of ['G001', 'G002']) {
      mkdirSync(join(folder, s, '20220101/t1'), { recursive: true });
      writeFileSync(join(folder, s, '20220101/t1/s001.nii'), s);
    }
    const body = { name: 'gamma', root: folder };
    expect((await call(f.app, ana, 'POST', '/api/operations/create', body)).status).toBe(403);
    const started = await call(f.app, root, 'POST', '/api/operations/create', body);
    expect(started.status).toBe(202);
    const op = started.json as Operation;
    expect(op).toMatchObject({ kind: 'create', project: 'gamma', owner: 'root', state: 'running' });
    const done = await ended(root, op.id);
    expect(done).toMatchObject({ state: 'done', error: null, endedAt: expect.any(Number) as number });
    expect(done.progress).toMatchObject({ phase: 'indexing', filesSeen: 2, filesAdded: 2, subjectsAdded: 2 });
    expect(done.summary).toMatch(/^Indexed 'gamma' in [\d.]+ s: 2 subjects and 2 studies added/);

    writeFileSync(join(f.alpha.root, 'P001/20200101/t1/s003.nii'), 'new');
    const rescan = await call(f.app, ana, 'POST', '/api/projects/alpha/operations/rescan');
    expect(rescan.status).toBe(202);
    const rescanned = await ended(ana, (rescan.json as Operation).id);
    expect(rescanned.progress).toMatchObject({ filesAdded: 1, filesSeen: 4 });
    expect(rescanned.progress.filesPerSecond).toBeGreaterThan(0);
    // ben only reads alpha; the listing shows each user their own operations.
    expect((await call(f.app, ben, 'POST', '/api/projects/alpha/operations/rescan')).status).toBe(403);
    const mine = (await call(f.app, ana, 'GET', '/api/operations')).json as OperationsResponse;
    expect(mine.operations.map((o) => o.kind)).toEqual(['rescan']);
    expect((await call(f.app, ben, 'GET', `/api/operations/${rescanned.id}`)).status).toBe(404);
    // A bad folder is refused before anything starts, with the reason.
    const missing = await call(f.app, root, 'POST', '/api/operations/create', {
      name: 'nope',
      root: join(f.dir, 'nope'),
    });
    expect(missing.status).toBe(404);
    expect(JSON.stringify(missing.json)).toMatch(/nope/);
  });

  it('imports DICOM from an import root with progress, into the catalog, and refuses paths that escape it', async () => {
    const scan = dicomFolder("scan 'one' $(x)", ['0.dcm', '1.dcm']);
    const started = await call(f.app, ana, 'POST', '/api/projects/alpha/operations/import-dicom', {
      source: scan,
    });
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    // The project is busy while it imports: a rescan waits for it.
    const busy = await call(f.app, ana, 'POST', '/api/projects/alpha/operations/rescan');
    expect(busy.status).toBe(409);
    expect(JSON.stringify(busy.json)).toMatch(/busy: import-dicom/);
    const done = await ended(ana, (started.json as Operation).id);
    expect(done.error).toBeNull();
    expect(done.state).toBe('done');
    expect(done.progress).toMatchObject({ dicomFound: 2, dicomConverted: 2, seriesPlaced: 1 });
    expect(done.progress.filesAdded).toBeGreaterThanOrEqual(2); // the NIfTI, its sidecar, bval/bvec
    expect(done.summary).toMatch(/Imported 1 series into 1 studies of 'alpha' \(1234#20100114121314\)/);
    const files = await call(f.app, ana, 'GET', '/api/projects/alpha/files?filter=1234');
    expect(JSON.stringify(files.json)).toContain('12_CBU_DTI_64D_1A.nii.gz');

    const post = (source: string, auth = ana, project = 'alpha') =>
      call(f.app, auth, 'POST', `/api/projects/${project}/operations/import-dicom`, { source });
    // Outside the import root, through '..', through a symbolic link: refused by their real path.
    const outside = dicomFolder('outside', ['0.dcm'], f.dir);
    for (const source of [outside, join(inbox, '..', 'outside')]) {
      const refused = await post(source);
      expect(refused.status).toBe(400);
      expect(refused.json).toMatchObject({ error: { code: 'PATH_OUTSIDE_ROOT' } });
      expect(JSON.stringify(refused.json)).toContain('not inside');
    }
    symlinkSync(outside, join(inbox, 'link'));
    expect((await post(join(inbox, 'link'))).json).toMatchObject({ error: { code: 'PATH_OUTSIDE_ROOT' } });
    // A server admin may import from anywhere but Cohort's own folders and the projects it reads.
    expect((await post(join(f.dir, 'home'), root)).json).toMatchObject({
      error: { code: 'PATH_OUTSIDE_ROOT' },
    });
    // The CLI's checks: a missing folder, a file, a BIDS project, a project one cannot read.
    expect((await post(join(inbox, 'missing'))).status).toBe(404);
    expect((await post(join(scan, '0.dcm'))).json).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    expect((await post(scan, ana, 'beta')).status).toBe(404);
    expect((await post(scan, ben)).status).toBe(403);
    const bad = await call(f.app, ana, 'POST', '/api/projects/alpha/operations/import-dicom', {
      source: scan,
      subject: '..',
    });
    expect(bad.status).toBe(400);
  });

  it('ends an import that dcm2niix cannot convert as failed, with its reason and fix', async () => {
    const empty = join(inbox, 'no dicoms');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'no images here');
    const started = await call(f.app, ana, 'POST', '/api/projects/alpha/operations/import-dicom', {
      source: empty,
    });
    expect(started.status).toBe(202);
    const failed = await ended(ana, (started.json as Operation).id);
    expect(failed.state).toBe('error');
    expect(failed.error?.code).toBe('TOOL_FAILED');
    expect(failed.error?.fix).toMatch(/DICOM/);
  });
});
