import { describe, expect, it } from 'vitest';
import type { StudyReference } from '../jobs/job-definition.js';
import type { StudyRef } from '../selection/selection.js';
import { patternRegex } from './pattern-regex.js';
import { resolveStudyReference, type ReferenceContext } from './resolve-study-reference.js';

function study(studyId: number, sid: string, pid = 'P001'): StudyRef {
  return { studyId, subjectId: 1, pid, sid, ref: `${pid}#${sid}`, folder: `/data/p/${pid}/${sid}` };
}

const STUDIES = [study(1, '20190101'), study(2, '20200101'), study(3, '20210315')];
const TAGS = new Map([
  [1, new Set(['baseline', 'qc_ok'])],
  [2, new Set(['qc_ok'])],
]);

function context(overrides: Partial<ReferenceContext> = {}): ReferenceContext {
  return {
    pid: 'P001',
    studies: STUDIES,
    tagsOf: (id) => TAGS.get(id) ?? new Set(),
    references: { BASELINE: { kind: 'oldest' }, FIRST_FOLLOWUP: { kind: 'oldest', offset: 1 } },
    project: { root: '/data/p', analysisFolder: 'analysis' },
    ...overrides,
  };
}

function resolved(ref: StudyReference, overrides: Partial<ReferenceContext> = {}): string {
  const result = resolveStudyReference(ref, context(overrides));
  return result.ok ? `${result.target.label} ${result.target.folder}` : `miss: ${result.reason}`;
}

describe('resolveStudyReference', () => {
  it.each<[StudyReference, string]>([
    [{ kind: 'oldest' }, 'P001#20190101'],
    [{ kind: 'oldest', offset: 1 }, 'P001#20200101'],
    [{ kind: 'latest' }, 'P001#20210315'],
    [{ kind: 'latest', offset: 2 }, 'P001#20190101'],
    [{ kind: 'tagged', tag: 'qc_ok' }, 'P001#20200101'],
    [{ kind: 'tagged', tag: 'baseline' }, 'P001#20190101'],
    [{ kind: 'matching', pattern: '2019*' }, 'P001#20190101'],
    [{ kind: 'matching', pattern: '20_0*' }, 'P001#20200101'],
    [{ kind: 'named', name: 'BASELINE' }, 'P001#20190101'],
    [{ kind: 'named', name: 'FIRST_FOLLOWUP' }, 'P001#20200101'],
  ])('resolves %j', (ref, label) => {
    expect(resolved(ref)).toBe(`${label} /data/p/${label.replace('#', '/')}`);
  });

  it('resolves current only where there is a current study', () => {
    expect(resolved({ kind: 'current' }, { current: STUDIES[1] })).toMatch(/^P001#20200101 /);
    expect(resolved({ kind: 'current' })).toMatch(/^miss: 'current study' has no meaning for a subject/);
  });

  it('resolves an analysis folder under the project root', () => {
    expect(resolved({ kind: 'analysis', name: 'models' })).toBe('ANALYSIS#models /data/p/analysis/models');
  });

  it('says why nothing matches', () => {
    const one = { studies: [study(7, '20200101', 'P003')], pid: 'P003' };
    expect(resolved({ kind: 'oldest', offset: 1 }, one)).toBe(
      'miss: P003 has only 1 study; OLDEST+1 needs 2',
    );
    expect(resolved({ kind: 'latest', offset: 3 })).toBe('miss: P001 has only 3 studies; LATEST-3 needs 4');
    expect(resolved({ kind: 'latest' }, { studies: [] })).toBe('miss: P001 has no study; LATEST needs 1');
    expect(resolved({ kind: 'tagged', tag: 'followup' })).toBe('miss: P001 has no study tagged followup');
    expect(resolved({ kind: 'matching', pattern: '2022*' })).toBe('miss: P001 has no study matching 2022*');
    expect(resolved({ kind: 'named', name: 'FIRST_FOLLOWUP' }, one)).toBe(
      'miss: FIRST_FOLLOWUP (OLDEST+1): P003 has only 1 study; OLDEST+1 needs 2',
    );
    expect(resolved({ kind: 'named', name: 'NOPE' })).toBe('miss: the batch defines no reference named NOPE');
  });

  it('stops at a cycle of named references', () => {
    const references = { A: { kind: 'named', name: 'B' }, B: { kind: 'named', name: 'A' } } as const;
    expect(resolved({ kind: 'named', name: 'A' }, { references })).toBe(
      'miss: references A → B → A form a cycle',
    );
  });
});

describe('patternRegex', () => {
  it.each([
    ['t1*/s0__.nii', 'T1_MPRAGE/s001.nii', true],
    ['t1*/s0__.nii', 't1/s0011.nii', false],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['100%.txt', '100%.txt', true],
    ['100%.txt', '100x.txt', false],
    ['(x)[1].nii', '(x)[1].nii', true],
  ])('%s matches %s: %s', (pattern, text, expected) => {
    expect(patternRegex(pattern).test(text)).toBe(expected);
  });
});
