import { describe, expect, it } from 'vitest';
import { SyntaxErrorAt } from '../errors/cohort-error.js';
import { parseFilter } from './parse-filter.js';

function syntaxError(input: string): SyntaxErrorAt {
  try {
    parseFilter(input);
  } catch (error) {
    if (error instanceof SyntaxErrorAt) return error;
    throw error;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(input)}`);
}

describe('parseFilter', () => {
  it('groups OR terms between & separators', () => {
    const filter = parseFilter('a b & c');
    expect(filter.groups.map((g) => g.map((t) => t.text))).toEqual([['a', 'b'], ['c']]);
    expect(parseFilter('a&b').groups).toHaveLength(2);
  });

  it('gives no groups for empty text', () => {
    expect(parseFilter('').groups).toEqual([]);
    expect(parseFilter('   ').groups).toEqual([]);
  });

  it('parses keywords case-insensitively, with implicit trailing wildcards', () => {
    const [group] = parseFilter(
      'stag:ctrl PTAG:x* Ftag:mask SDESC:MRT job:E t1_tri*/s0*.nii P00 !P001#2020',
    ).groups;
    expect(
      group?.map((t) =>
        t.kind === 'job' ? [t.kind, t.state] : t.kind === 'entity' ? [t.kind] : [t.kind, t.like, t.negated],
      ),
    ).toEqual([
      ['stag', 'ctrl%', false],
      ['ptag', 'x%', false],
      ['ftag', 'mask%', false],
      ['sdesc', 'MRT%', false],
      ['job', 'e'],
      ['file', 't1_tri%/s0%.nii%', false],
      ['id', 'P00%', false],
      ['id', 'P001#2020%', true],
    ]);
  });

  it('records term positions', () => {
    const [first, second] = parseFilter('  P001 & !STAG:x').groups;
    expect(first?.[0]?.position).toBe(2);
    expect(second?.[0]?.position).toBe(9);
  });

  it('keeps quoted spaces and ampersands inside a term', () => {
    const [group] = parseFilter('"notes/my file & more"').groups;
    expect(group?.[0]).toMatchObject({ kind: 'file', like: 'notes/my file & more%' });
  });

  it.each([
    ['a &', 2, '&', /Dangling &/],
    ['& a', 0, '&', /Dangling &/],
    ['a & & b', 4, '&', /Dangling &/],
    ['P001 STAG:', 5, 'STAG:', /Missing value after STAG:/],
    ['XYZ:1', 0, 'XYZ:1', /Unknown keyword 'XYZ:'/],
    ['JOB:x', 0, 'JOB:x', /Unknown job state 'x'/],
    ['a !', 2, '!', /needs a term/],
    ['!!a', 0, '!!a', /Double negation/],
  ])('rejects %j at position %i', (input, position, term, problem) => {
    const error = syntaxError(input);
    expect(error.position).toBe(position);
    expect(error.context['term']).toBe(term);
    expect(error.message).toMatch(problem);
    expect(error.hint).toBeTruthy();
  });
});
