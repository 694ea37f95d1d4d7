import { describe, expect, it } from 'vitest';
import { parseFilter } from './parse-filter.js';
import { runFilter } from './run-filter.js';
import { groupBySubject } from './selection.js';
import { createSelectionFixture, FIXTURE_ROOT } from './test-fixture.js';

const fixture = createSelectionFixture();

function refs(text: string): string[] {
  return runFilter(fixture.db, fixture.project, parseFilter(text)).map((s) => s.ref);
}

describe('runFilter', () => {
  it('returns every present study for an empty filter', () => {
    const studies = runFilter(fixture.db, fixture.project, parseFilter(''));
    expect(studies).toHaveLength(10);
    expect(studies[0]).toEqual({
      studyId: fixture.studyId('1201#ses-2'),
      subjectId: expect.any(Number) as number,
      pid: '1201',
      sid: 'ses-2',
      ref: '1201#ses-2',
      folder: `${FIXTURE_ROOT}/1201/ses-2`,
    });
  });

  it('matches subject ids, study ids and PID#SID as prefixes', () => {
    expect(refs('P002')).toEqual(['P002#20200505', 'P002#20201111']);
    expect(refs('2021')).toEqual(['P001#20210315']);
    expect(refs('P001#2020')).toEqual(['P001#20200101']);
    expect(refs('ses-1')).toEqual(['1201#ses-10', '1202#ses-1']);
  });

  it('ORs terms within a group and ANDs the groups', () => {
    expect(refs('P002 1202')).toEqual(['1202#ses-1', 'P002#20200505', 'P002#20201111']);
    expect(refs('P002 1202 & STAG:baseline')).toEqual(['P002#20200505']);
    expect(refs('P001 P002 & STAG:qc & 2020')).toEqual(['P001#20200101', 'P002#20200505']);
  });

  it('negates terms with !', () => {
    expect(refs('P001 & !STAG:qc_ok')).toEqual(['P001#20190101']);
    expect(refs('!P & !Q')).toEqual(['1201#ses-2', '1201#ses-10', '1202#ses-1']);
    expect(refs('P001 & !t1_mprage/s002')).toEqual(['P001#20190101', 'P001#20210315']);
  });

  it('filters by subject, study and file tags', () => {
    expect(refs('PTAG:patient & STAG:qc')).toEqual(['1201#ses-10', 'P002#20200505']);
    expect(refs('FTAG:best')).toEqual(['P001#20200101']);
    expect(refs('FTAG:t1 & P00')).toEqual([
      'P001#20190101',
      'P001#20200101',
      'P001#20210315',
      'P002#20200505',
      'P002#20201111',
    ]);
  });

  it('matches file path patterns against present files only', () => {
    expect(refs('t1_tra/s0*.nii')).toEqual(['P001#20200101']);
    expect(refs('t1_mprage/s003')).toEqual([]); // absent file
    expect(refs('T1_MPRAGE/ & STAG:baseline')).toEqual(['P001#20190101', 'P002#20200505']);
    expect(refs('notes/100%')).toEqual(['P001#20200101']);
    expect(refs('notes/100%x')).toEqual([]);
  });

  it('matches the study description', () => {
    expect(refs('SDESC:mrt')).toEqual(['P001#20190101', 'P001#20200101']);
    expect(refs('SDESC:*Schaedel')).toEqual(['P002#20200505']);
  });

  it('filters by the job state of the latest run that touched a study', () => {
    const db = fixture.db;
    const studyId = (ref: string): number =>
      Number(
        db
          .prepare(
            `SELECT s.id FROM studies s JOIN subjects p ON p.id = s.subject_id WHERE p.pid || '#' || s.sid = ?`,
          )
          .pluck()
          .get(ref),
      );
    const run = (): number =>
      Number(
        db
          .prepare(
            `INSERT INTO runs (project_id, batch_name, definition, level, selection, run_mode, executor, owner, created_at)
                    VALUES (?, 'b', '{}', 'study', '*', 'chained', 'local', 'me', 0)`,
          )
          .run(fixture.project.id).lastInsertRowid,
      );
    const task = (runId: number, ref: string, state: string): void => {
      db.prepare(
        `INSERT INTO tasks (run_id, project_id, item, study_id, job_index, job_name, state, unit, executor, resolved, log_dir, updated_at)
                  VALUES (?, ?, ?, ?, 0, 'j', ?, ?, 'local', '{}', '/tmp', 0)`,
      ).run(runId, fixture.project.id, ref, studyId(ref), state, ref);
    };
    const first = run();
    task(first, 'P001#20200101', 'error');
    task(first, 'P002#20200505', 'error');
    task(first, 'P002#20201111', 'running');
    task(run(), 'P002#20200505', 'done'); // fixed by a rerun
    expect(refs('JOB:e')).toEqual(['P001#20200101']);
    expect(refs('JOB:r')).toEqual(['P002#20201111']);
    expect(refs('P002 & !JOB:e')).toEqual(['P002#20200505', 'P002#20201111']);
  });

  it('groups studies by subject', () => {
    const groups = groupBySubject(runFilter(fixture.db, fixture.project, parseFilter('P00')));
    expect(groups.map((g) => [g.pid, g.studies.map((s) => s.sid)])).toEqual([
      ['P001', ['20190101', '20200101', '20210315']],
      ['P002', ['20200505', '20201111']],
    ]);
  });
});
