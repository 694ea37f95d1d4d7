import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findStudy } from '../../catalog/study-lookup.js';
import { recordMeasures } from '../../measures/measure-store.js';
import { createServerFixture, type ServerFixture } from '../test-fixture.js';

// The export behind the subjects table's Export button: the table's filter text or a selector, TSV or
// JSON, readable by whoever may read the project and by nobody else.

let f: ServerFixture;
let ben: string;
let cy: string;

beforeAll(async () => {
  f = await createServerFixture();
  ben = await f.login('ben');
  cy = await f.login('cy');
  const study = findStudy(f.catalog.db, f.alpha, 'P002#20200202');
  recordMeasures(f.catalog.db, f.alpha.id, [
    { subjectId: study.subjectId, studyId: study.id, key: 'fa_mean', value: 0.43, task: 'fa' },
  ]);
});
afterAll(async () => {
  await f.close();
});

async function get(cookie: string, query: string): Promise<Response> {
  return f.app.request(`/api/projects/alpha/export${query}`, { headers: { Cookie: cookie } });
}

describe('GET /api/projects/:project/export', () => {
  it('sends the filter`s studies as a long TSV download, measures and files included', async () => {
    const res = await get(ben, `?filter=${encodeURIComponent('P002')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="alpha-export.tsv"');
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe('subject\tstudy\tkey\tvalue');
    expect(lines).toContain('P002\t20200202\tfa_mean\t0.43');
    expect(lines).toContain('P002\t20200202\tfile:t1/s001.nii:size\t10');
    expect(lines.every((l) => !l.startsWith('P001'))).toBe(true);
  });

  it('takes a selector and answers JSON', async () => {
    const res = await get(ben, `?selector=${encodeURIComponent('P00*')}&format=json`);
    const body = (await res.json()) as { subjects: { subject: string; studies: { measures: object }[] }[] };
    expect(body.subjects.map((s) => s.subject)).toEqual(['P001', 'P002']);
    expect(body.subjects[1]?.studies[0]?.measures).toEqual({ fa_mean: 0.43 });
  });

  it('is a 404 for a user who may not read the project', async () => {
    expect((await get(cy, '')).status).toBe(404);
  });
});
