import { describe, expect, it } from 'vitest';
import { SyntaxErrorAt } from '../errors/cohort-error.js';
import { parseSelector } from './parse-selector.js';

function syntaxError(input: string | readonly string[]): SyntaxErrorAt {
  try {
    parseSelector(input);
  } catch (error) {
    if (error instanceof SyntaxErrorAt) return error;
    throw error;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(input)}`);
}

describe('parseSelector', () => {
  it('parses study terms, filters and file terms', () => {
    const selector = parseSelector([
      'P001#LATEST-1',
      '12*',
      '*#OLDEST+2',
      'P0*#2020*',
      'stag:qc_ok',
      'notptag:control',
      'file:t1_*/*.nii',
      'tag:best',
      'nottag:bad',
      'sort:-mtime',
      'nth:-1',
    ]);
    expect(selector.studies).toEqual([
      { text: 'P001#LATEST-1', subjectLike: 'P001', pick: { kind: 'latest', offset: 1 } },
      { text: '12*', subjectLike: '12%', pick: { kind: 'all' } },
      { text: '*#OLDEST+2', subjectLike: '%', pick: { kind: 'oldest', offset: 2 } },
      { text: 'P0*#2020*', subjectLike: 'P0%', pick: { kind: 'pattern', like: '2020%' } },
    ]);
    expect(selector.studyFilters).toEqual([
      { level: 'study', tag: 'qc_ok', negated: false },
      { level: 'subject', tag: 'control', negated: true },
    ]);
    expect(selector.files).toEqual({
      patterns: ['t1_%/%.nii'],
      paths: [],
      entities: [],
      tags: [
        { level: 'file', tag: 'best', negated: false },
        { level: 'file', tag: 'bad', negated: true },
      ],
      sort: { key: 'mtime', descending: true },
      nth: -1,
    });
  });

  it('has no file terms when only studies are picked', () => {
    expect(parseSelector('* stag:x').files).toBeNull();
    expect(parseSelector('').studies).toEqual([]);
  });

  it('treats keywords case-insensitively and accepts NTH(k)', () => {
    const selector = parseSelector('p001#latest STAG:a FILE:x SORT:Size NTH(2)');
    expect(selector.studies[0]?.pick).toEqual({ kind: 'latest', offset: 0 });
    expect(selector.files?.sort).toEqual({ key: 'size', descending: false });
    expect(selector.files?.nth).toBe(2);
  });

  it('keeps study ids that merely start with latest as patterns', () => {
    expect(parseSelector('P001#latest_run').studies[0]?.pick).toEqual({
      kind: 'pattern',
      like: 'latest_run',
    });
  });

  it('splits a string on whitespace, keeping quoted spaces', () => {
    const selector = parseSelector('P001  file:"notes/my file.txt" "file:a b" file:say\\"hi\\"');
    expect(selector.files?.patterns).toEqual(['notes/my file.txt', 'a b', 'say"hi"']);
  });

  it('takes argv words as they are', () => {
    const selector = parseSelector(['file:notes/my file.txt', '/data/x y/z.nii']);
    expect(selector.files?.patterns).toEqual(['notes/my file.txt']);
    expect(selector.files?.paths).toEqual(['/data/x y/z.nii']);
  });

  it.each([
    ['P001 stg:x', 5, 'stg:x', /Unknown prefix 'stg:'/],
    ['stag:', 0, 'stag:', /Empty tag/],
    ['P001#LATEST-x', 5, 'LATEST-x', /Invalid LATEST offset/],
    ['P001#LATEST+1', 5, 'LATEST+1', /Invalid LATEST offset/],
    ['P001#OLDEST-1', 5, 'OLDEST-1', /Invalid OLDEST offset/],
    ['P001 nth:0', 5, 'nth:0', /Invalid position '0'/],
    ['nth:x', 0, 'nth:x', /Invalid position/],
    ['sort:foo', 0, 'sort:foo', /Unknown sort key 'foo'/],
    ['sort:size sort:path', 10, 'sort:path', /given twice/],
    ['#LATEST', 0, '#LATEST', /Missing subject/],
    ['P001#', 0, 'P001#', /Missing study/],
    ['file:', 0, 'file:', /Empty pattern/],
    ['t1/s001.nii', 0, 't1/s001.nii', /cannot contain \//],
    ['P001 "file:x', 5, '"file:x', /Unterminated double quote/],
  ])('rejects %j at position %i', (input, position, term, problem) => {
    const error = syntaxError(input);
    expect(error.code).toBe('SYNTAX');
    expect(error.position).toBe(position);
    expect(error.context['term']).toBe(term);
    expect(error.message).toMatch(problem);
    expect(error.hint).toBeTruthy();
  });

  it('shows the term under a caret and lists valid terms in the hint', () => {
    const error = syntaxError(['P001', 'stg:x']);
    expect(error.message).toContain("in term 'stg:x' at position 6");
    expect(error.message).toContain('P001 stg:x\n     ^^^^^');
    expect(error.hint).toContain('stag:T');
    expect(error.hint).toContain('sort:[-](path|name|size|mtime)');
  });

  it('rejects an empty argv word', () => {
    expect(syntaxError(['P001', '']).position).toBe(5);
  });
});
