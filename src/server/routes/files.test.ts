import { renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileRow, Page } from '../api-types.js';
import { call, createServerFixture, HTML_NAME, type ServerFixture } from '../test-fixture.js';

let f: ServerFixture;
let ana: string;
let file: FileRow;

beforeAll(async () => {
  f = await createServerFixture();
  ana = await f.login('ana');
  const page = await call(f.app, ana, 'GET', '/api/projects/alpha/files?filter=P001');
  file = (page.json as Page<FileRow>).items[0] as FileRow;
  // Links out of the root: one a scan would never index, one swapped in after indexing.
  symlinkSync(f.secret, join(f.alpha.root, 'P001/20200101/t1/out.nii'));
  symlinkSync(join(f.dir, 'beta'), join(f.alpha.root, 'P001/20200101/beta'));
});
afterAll(async () => {
  await f.close();
});

describe('file endpoints', () => {
  it('serves metadata and content of a file inside the root, as bytes that are never rendered', async () => {
    expect(file).toMatchObject({ path: 't1/s001.nii', rootPath: 'P001/20200101/t1/s001.nii', size: 10 });
    const byId = await call(f.app, ana, 'GET', `/api/projects/alpha/files/${file.fileId}/content`);
    expect(byId.status).toBe(200);
    expect(byId.json).toBe('alpha-P001');
    expect(byId.headers.get('content-type')).toBe('application/octet-stream');
    expect(byId.headers.get('x-content-type-options')).toBe('nosniff');
    const byPath = await call(
      f.app,
      ana,
      'GET',
      '/api/projects/alpha/file/content?path=P001/20200101/t1/s001.nii',
    );
    expect(byPath.json).toBe('alpha-P001');
    const meta = await call(f.app, ana, 'GET', '/api/projects/alpha/file?path=P001/20200101/t1/s001.nii');
    expect(meta.json).toMatchObject({
      rootPath: 'P001/20200101/t1/s001.nii',
      size: 10,
      file: { fileId: file.fileId },
    });
  });

  const attacks = [
    '../beta/Q001/20210101/t1/s001.nii',
    'P001/../../secret.txt',
    'P001/20200101/t1/../../../../secret.txt',
    '/etc/passwd',
    '//etc/passwd',
    '..\\secret.txt',
    'P001/20200101/t1/out.nii',
    'P001/20200101/beta/Q001/20210101/t1/s001.nii',
  ];
  it.each(attacks)('refuses %s on both path endpoints', async (path) => {
    for (const endpoint of ['file', 'file/content']) {
      const res = await call(
        f.app,
        ana,
        'GET',
        `/api/projects/alpha/${endpoint}?path=${encodeURIComponent(path)}`,
      );
      expect(res.status, endpoint).toBe(400);
      expect(res.json).toMatchObject({ error: { code: 'PATH_OUTSIDE_ROOT' } });
      expect(JSON.stringify(res.json)).not.toContain('top secret');
    }
  });

  it('refuses URL-encoded and double-encoded dot segments', async () => {
    for (const raw of ['%2e%2e/secret.txt', '%2E%2E%2Fsecret.txt', 'P001/%2e%2e/%2e%2e/secret.txt']) {
      const res = await call(f.app, ana, 'GET', `/api/projects/alpha/file/content?path=${raw}`);
      expect(res.status, raw).toBe(400);
    }
    const twice = await call(
      f.app,
      ana,
      'GET',
      '/api/projects/alpha/file/content?path=%252e%252e/secret.txt',
    );
    expect(twice.status).toBe(404); // a folder literally named %2e%2e: not there, and never the parent
    const inPath = await call(f.app, ana, 'GET', '/api/projects/alpha/files/..%2f..%2fsecret.txt/content');
    expect([400, 404]).toContain(inPath.status);
    expect(String(inPath.json)).not.toContain('top secret');
  });

  it('refuses a catalogued file that became a symbolic link out of the root', async () => {
    const real = join(f.alpha.root, 'P002/20200202/t1/s001.nii');
    const page = await call(f.app, ana, 'GET', '/api/projects/alpha/files?filter=P002&pattern=t1/s001.nii');
    const id = (page.json as Page<FileRow>).items[0]?.fileId ?? 0;
    renameSync(real, `${real}.moved`);
    symlinkSync(f.secret, real);
    const res = await call(f.app, ana, 'GET', `/api/projects/alpha/files/${id}/content`);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'PATH_OUTSIDE_ROOT' } });
  });

  it('returns HTML in file names and tags as JSON data', async () => {
    const page = await call(f.app, ana, 'GET', '/api/projects/alpha/files?pattern=t1/<*');
    expect(page.headers.get('content-type')).toMatch(/^application\/json/);
    const row = (page.json as Page<FileRow>).items[0];
    expect(row?.path).toBe(`t1/${HTML_NAME}`);
    const content = await call(f.app, ana, 'GET', `/api/projects/alpha/files/${row?.fileId ?? 0}/content`);
    expect(content.headers.get('content-type')).toBe('application/octet-stream');
    expect(content.headers.get('content-disposition')).not.toContain('<');
    // Tags are words (no markup can be stored); a script-like tag is refused with a message.
    const bad = await call(f.app, ana, 'POST', '/api/projects/alpha/tags', {
      action: 'add',
      level: 'file',
      ids: [row?.fileId ?? 0],
      tags: ['<script>alert(1)</script>'],
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      error: { code: 'INVALID_INPUT', message: "Invalid tag '<script>alert(1)</script>'." },
    });
    expect(bad.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('adds only files inside the root', async () => {
    const res = await call(f.app, ana, 'POST', '/api/projects/alpha/files', {
      paths: ['P001/20200101/t1/s001.nii', '../secret.txt', f.secret, 'P001/20200101/t1/out.nii'],
    });
    expect(res.status).toBe(200);
    expect((res.json as Array<{ ok: boolean }>).map((r) => r.ok)).toEqual([true, false, false, false]);
  });
});
