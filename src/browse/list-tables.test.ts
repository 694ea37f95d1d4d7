import { describe, expect, it } from 'vitest';
import { parseFilter } from '../selection/parse-filter.js';
import { runFilter } from '../selection/run-filter.js';
import { createSelectionFixture } from '../selection/test-fixture.js';
import { countStudies, listStudies } from './list-studies.js';
import { countSubjects, listSubjects } from './list-subjects.js';

const fixture = createSelectionFixture();
const { db, project } = fixture;

// The tables' pages test tag and file terms per study (correlated EXISTS, so that a page can stop
// early), their totals with one list for the whole project (runFilter's form): both must agree.
const FILTERS = [
  '',
  'P00',
  'P001#2020 1202',
  'STAG:qc',
  '!STAG:qc_ok',
  'PTAG:control & t1_mprage/s00',
  't1*/*.nii & !PTAG:control',
  'notes/100% notes/a_b',
  'FTAG:best',
  '!FTAG:t1',
  'FTAG:uni & STAG:qc_ok',
  'nothing',
];

describe('subjects and studies tables', () => {
  it.each(FILTERS)('page, total and count agree with runFilter for %j', (text) => {
    const studies = runFilter(db, project, parseFilter(text));
    const pids = [...new Set(studies.map((s) => s.pid))];
    const subjects = listSubjects(db, project, text, { limit: 100, offset: 0 });
    expect(subjects.items.map((r) => r.pid)).toEqual(pids);
    expect(subjects.items.flatMap((r) => r.studies.map((s) => s.studyId))).toEqual(
      studies.map((s) => s.studyId),
    );
    expect(subjects.total).toBe(pids.length);
    expect(countSubjects(db, project, text)).toBe(pids.length);
    const table = listStudies(db, project, text, { limit: 100, offset: 0 });
    expect(table.items.map((r) => r.ref)).toEqual(studies.map((s) => s.ref));
    expect(countStudies(db, project, text)).toBe(studies.length);
  });

  it('pages of two: every page, the same total, or none when not asked for', () => {
    const all = runFilter(db, project, parseFilter('')).map((s) => s.ref);
    const pages = [0, 2, 4, 6, 8, 10].map((offset) => listStudies(db, project, '', { limit: 2, offset }));
    expect(pages.flatMap((p) => p.items.map((r) => r.ref))).toEqual(all);
    expect(pages.map((p) => p.total)).toEqual(pages.map(() => all.length));
    expect(listSubjects(db, project, 'P0', { limit: 1, offset: 0, count: false }).total).toBeNull();
    expect(listStudies(db, project, '', { limit: 2, offset: 2, count: false })).toMatchObject({
      total: null,
      items: [{ ref: all[2] }, { ref: all[3] }],
    });
  });

  it.each(FILTERS)('subject pages by cursor (after=) are the pages by offset for %j', (text) => {
    for (const limit of [1, 2, 3]) {
      const byOffset = [];
      const byCursor = [];
      let after: string | undefined;
      for (let offset = 0; offset < 20; offset += limit) {
        const plain = listSubjects(db, project, text, { limit, offset });
        const keyed = listSubjects(db, project, text, {
          limit,
          offset,
          ...(after === undefined ? {} : { after }),
        });
        expect(keyed.total).toBe(plain.total);
        expect(keyed.offset).toBe(offset);
        byOffset.push(...plain.items);
        byCursor.push(...keyed.items);
        after = keyed.items.at(-1)?.pid ?? after;
      }
      expect(byCursor).toEqual(byOffset);
    }
  });
});
