import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  BatchListEntry,
  LibraryEntry,
  Page,
  ScriptVariablesResponse,
  StudyRow,
  SubjectRow,
} from '../api-types.js';
import { bashBatch, call, createServerFixture, type ServerFixture } from '../test-fixture.js';

let f: ServerFixture;
let ana: string;

beforeAll(async () => {
  f = await createServerFixture();
  ana = await f.login('ana');
});
afterAll(async () => {
  await f.close();
});

describe('catalog tables', () => {
  it('answers a page without its total on count=false, and the total apart', async () => {
    const page = await call(f.app, ana, 'GET', '/api/projects/alpha/subjects?limit=1&count=false');
    expect(page.json).toMatchObject({ total: null, items: [{ pid: 'P001' }] });
    const filter = encodeURIComponent('P00 & !P002');
    for (const table of ['subjects', 'studies']) {
      const all = await call(f.app, ana, 'GET', `/api/projects/alpha/${table}/count`);
      const some = await call(f.app, ana, 'GET', `/api/projects/alpha/${table}/count?filter=${filter}`);
      const listed = await call(f.app, ana, 'GET', `/api/projects/alpha/${table}?filter=${filter}`);
      expect(all.json).toEqual({ total: table === 'subjects' ? 2 : expect.any(Number) });
      expect(some.json).toEqual({ total: (listed.json as Page<unknown>).total });
    }
    const bad = await call(
      f.app,
      ana,
      'GET',
      `/api/projects/alpha/subjects/count?filter=${encodeURIComponent('& &')}`,
    );
    expect(bad.status).toBe(400);
  });

  it('pages subjects with the total, and filters with the filter-bar language', async () => {
    const all = await call(f.app, ana, 'GET', '/api/projects/alpha/subjects?limit=1&offset=1');
    expect(all.json).toMatchObject({
      total: 2,
      offset: 1,
      limit: 1,
      items: [{ pid: 'P002', studies: [{ sid: '20200202' }] }],
    });
    const past = await call(f.app, ana, 'GET', '/api/projects/alpha/subjects?offset=10');
    expect(past.json).toMatchObject({ total: 2, items: [] });
    const one = await call(
      f.app,
      ana,
      'GET',
      `/api/projects/alpha/subjects?filter=${encodeURIComponent('P00 & !P002')}`,
    );
    expect((one.json as Page<SubjectRow>).items.map((s) => s.pid)).toEqual(['P001']);
  });

  it('adds and removes tags, which the tables and filters then show', async () => {
    const studies = (await call(f.app, ana, 'GET', '/api/projects/alpha/studies')).json as Page<StudyRow>;
    expect(studies.items.map((s) => [s.ref, s.files])).toEqual([
      ['P001#20200101', 1],
      ['P002#20200202', 2],
    ]);
    const id = studies.items[0]?.studyId ?? 0;
    const added = await call(f.app, ana, 'POST', '/api/projects/alpha/tags', {
      action: 'add',
      level: 'study',
      ids: [id],
      tags: ['qc_ok'],
    });
    expect(added.json).toEqual({ changed: 1 });
    const tagged = (await call(f.app, ana, 'GET', '/api/projects/alpha/studies?filter=STAG:qc_ok'))
      .json as Page<StudyRow>;
    expect(tagged.items.map((s) => [s.ref, s.tags])).toEqual([['P001#20200101', ['qc_ok']]]);
    await call(f.app, ana, 'POST', '/api/projects/alpha/tags', {
      action: 'remove',
      level: 'study',
      ids: [id],
      tags: ['qc_ok'],
    });
    expect(
      (
        (await call(f.app, ana, 'GET', '/api/projects/alpha/studies?filter=STAG:qc_ok'))
          .json as Page<StudyRow>
      ).total,
    ).toBe(0);
  });
});

describe('batches, library and composer helpers', () => {
  it('saves, lists, renames, favourites, duplicates and deletes batches', async () => {
    const saved = await call(f.app, ana, 'POST', '/api/projects/alpha/batches', {
      batch: bashBatch('echo', 'masks'),
      folder: 'qc',
    });
    expect(saved.status).toBe(201);
    const entry = saved.json as BatchListEntry;
    expect(entry).toMatchObject({ name: 'masks', folder: 'qc', favourite: false, jobNames: ['Check'] });
    const got = await call(f.app, ana, 'GET', `/api/projects/alpha/batches/${entry.id}`);
    expect(got.json).toMatchObject({ entry: { name: 'masks' }, batch: { name: 'masks', level: 'study' } });
    const fav = await call(f.app, ana, 'PATCH', `/api/projects/alpha/batches/${entry.id}`, {
      favourite: true,
      name: 'brain masks',
    });
    expect(fav.json).toMatchObject({ name: 'brain masks', favourite: true });
    const copy = await call(f.app, ana, 'POST', `/api/projects/alpha/batches/${entry.id}/duplicate`, {
      name: 'copy',
    });
    expect(copy.status).toBe(201);
    const again = await call(f.app, ana, 'POST', `/api/projects/alpha/batches/${entry.id}/duplicate`, {
      name: 'copy',
    });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: { code: 'CONFLICT' } });
    const favourites = await call(f.app, ana, 'GET', '/api/projects/alpha/batches?favourites=1');
    expect((favourites.json as BatchListEntry[]).map((b) => b.name)).toEqual(['brain masks']);
    const inQc = await call(f.app, ana, 'GET', '/api/projects/alpha/batches?folder=qc');
    expect((inQc.json as BatchListEntry[]).map((b) => b.name)).toEqual(['brain masks']);
    expect((await call(f.app, ana, 'DELETE', `/api/projects/alpha/batches/${entry.id}`)).status).toBe(200);
    expect((await call(f.app, ana, 'GET', `/api/projects/alpha/batches/${entry.id}`)).status).toBe(404);
  });

  it('lists the predefined jobs and detects script variables', async () => {
    const library = (await call(f.app, ana, 'GET', '/api/library')).json as LibraryEntry[];
    expect(library.length).toBeGreaterThan(0);
    expect(library[0]?.job).toMatchObject({ library: library[0]?.id });
    const registration = library.find((entry) => entry.id === 'registration/linear');
    expect(registration?.tool).toContain('MRtrix3');
    expect(registration?.help['o2']).toContain('transform');
    const vars = await call(f.app, ana, 'POST', '/api/script-variables', {
      language: 'bash',
      script: 'bet $f1 ${o1} -f $n1 $f1',
    });
    expect((vars.json as ScriptVariablesResponse).rows).toEqual([
      { name: 'f1', type: 'FILE' },
      { name: 'o1', type: 'OUT' },
      { name: 'n1', type: 'NUMERIC' },
    ]);
  });

  it('previews a batch over a selection', async () => {
    const res = await call(f.app, ana, 'POST', '/api/projects/alpha/preview', {
      batch: bashBatch('echo'),
      selector: ['P001'],
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      summary: { total: 1, ready: 1 },
      items: [{ item: 'P001#20200101', runnable: true }],
    });
  });

  it('previews a page of the items, counting them all', async () => {
    const res = await call(f.app, ana, 'POST', '/api/projects/alpha/preview', {
      batch: bashBatch('echo'),
      offset: 1,
      limit: 1,
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      page: { offset: 1, limit: 1 },
      summary: { total: 2, ready: 2, missingItems: 0, jobs: [{ index: 0, ready: 2, notRunnable: 0 }] },
      items: [{ item: 'P002#20200202' }],
    });
    expect((res.json as { items: unknown[] }).items).toHaveLength(1);
  });
});
