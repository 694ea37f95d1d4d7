import { describe, expect, it } from 'vitest';
import { isCohortError } from '../errors/cohort-error.js';
import { createSelectionFixture } from '../selection/test-fixture.js';
import { listMeasures, recordMeasures } from './measure-store.js';

function fixtureWithMeasures() {
  const fixture = createSelectionFixture();
  const subjectOf = (ref: string): number =>
    (
      fixture.db.prepare('SELECT subject_id FROM studies WHERE id = ?').get(fixture.studyId(ref)) as {
        subject_id: number;
      }
    ).subject_id;
  return { ...fixture, subjectOf };
}

describe('measure store', () => {
  it('records per study and per subject, and lists them over a selector in subject/study/key order', () => {
    const f = fixtureWithMeasures();
    const s1 = f.studyId('P001#20190101');
    const s2 = f.studyId('P001#20210315');
    const p2 = f.studyId('P002#20201111');
    recordMeasures(f.db, f.project.id, [
      { subjectId: f.subjectOf('P001#20210315'), studyId: s2, key: 'fa_mean', value: 0.41, task: 'fa' },
      { subjectId: f.subjectOf('P001#20190101'), studyId: s1, key: 'fa_mean', value: 0.43, task: 'fa' },
      { subjectId: f.subjectOf('P001#20190101'), studyId: s1, key: 'age', value: 61 },
      { subjectId: f.subjectOf('P001#20190101'), studyId: null, key: 'sex_m', value: 1 },
      { subjectId: f.subjectOf('P002#20201111'), studyId: p2, key: 'fa_mean', value: 0.5, task: 'fa' },
    ]);
    expect(listMeasures(f.db, f.project, 'P001')).toEqual([
      { subject: 'P001', study: null, key: 'sex_m', value: 1, task: null },
      { subject: 'P001', study: '20190101', key: 'age', value: 61, task: null },
      { subject: 'P001', study: '20190101', key: 'fa_mean', value: 0.43, task: 'fa' },
      { subject: 'P001', study: '20210315', key: 'fa_mean', value: 0.41, task: 'fa' },
    ]);
    // A selector that picks one study keeps its subject's measures but not the other studies'.
    expect(
      listMeasures(f.db, f.project, 'P002#20201111').map((r) => `${r.subject}#${r.study}:${r.value}`),
    ).toEqual(['P002#20201111:0.5']);
    expect(listMeasures(f.db, f.project, 'P001#LATEST').map((r) => r.key)).toEqual(['sex_m', 'fa_mean']);
  });

  it('replaces a key recorded again on the same item (a rerun overwrites its numbers)', () => {
    const f = fixtureWithMeasures();
    const s = f.studyId('P002#20201111');
    const subjectId = f.subjectOf('P002#20201111');
    recordMeasures(f.db, f.project.id, [{ subjectId, studyId: s, key: 'vol', value: 1 }]);
    recordMeasures(f.db, f.project.id, [{ subjectId, studyId: s, key: 'vol', value: 2, task: 'seg' }]);
    recordMeasures(f.db, f.project.id, [{ subjectId, studyId: null, key: 'vol', value: 3 }]);
    expect(listMeasures(f.db, f.project, 'P002#20201111')).toEqual([
      { subject: 'P002', study: null, key: 'vol', value: 3, task: null },
      { subject: 'P002', study: '20201111', key: 'vol', value: 2, task: 'seg' },
    ]);
  });

  it('refuses keys with spaces and values that are not finite numbers, naming them', () => {
    const f = fixtureWithMeasures();
    const s = f.studyId('P002#20201111');
    const subjectId = f.subjectOf('P002#20201111');
    const error = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        if (isCohortError(e)) return `${e.code}: ${e.message}`;
        throw e;
      }
      return 'no error';
    };
    expect(
      error(() => recordMeasures(f.db, f.project.id, [{ subjectId, studyId: s, key: 'fa mean', value: 1 }])),
    ).toBe("INVALID_INPUT: Invalid measure key 'fa mean'.");
    expect(
      error(() =>
        recordMeasures(f.db, f.project.id, [{ subjectId, studyId: s, key: 'x', value: Number.NaN }]),
      ),
    ).toMatch(/INVALID_INPUT: Measure 'x' has value 'NaN'/);
    expect(listMeasures(f.db, f.project, '*')).toEqual([]);
  });
});
