import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open-database.js';
import { likeSql, toLikePattern } from './like-pattern.js';
import { sql } from './sql-fragment.js';

const NAMES = [
  '100%.txt',
  '100x.txt',
  'a_b.txt',
  'axb.txt',
  'star*.txt',
  'starX.txt',
  'back\\slash.txt',
  't1/s001.nii',
  'T1/S001.NII',
  'ünïcödé.nii',
  'ÜNÏCÖDÉ.nii',
];

/** The names a user pattern matches, evaluated by SQLite itself. */
function matches(pattern: string, options: { trailingWildcard?: boolean } = {}): string[] {
  const db = openDatabase(':memory:', { busyTimeoutMs: 1000 });
  try {
    db.exec('CREATE TEMP TABLE names (name TEXT)');
    const insert = db.prepare('INSERT INTO names VALUES (?)');
    for (const name of NAMES) insert.run(name);
    const where = likeSql(sql`name`, toLikePattern(pattern, options));
    return db
      .prepare(`SELECT name FROM names WHERE ${where.text} ORDER BY rowid`)
      .pluck()
      .all(...where.params) as string[];
  } finally {
    db.close();
  }
}

describe('toLikePattern', () => {
  it('turns * into % and keeps _ as the one-character wildcard', () => {
    expect(toLikePattern('t1_*/s0*.nii')).toBe('t1_%/s0%.nii');
  });

  it('escapes a literal % and the escapes of the user syntax', () => {
    expect(toLikePattern('100%')).toBe('100\\%');
    expect(toLikePattern('a\\_b\\*c\\\\d')).toBe('a\\_b*c\\\\d');
    expect(toLikePattern('lone\\x')).toBe('lone\\\\x');
    expect(toLikePattern('end\\')).toBe('end\\\\');
  });

  it('adds a trailing wildcard only when asked, and only once', () => {
    expect(toLikePattern('P00', { trailingWildcard: true })).toBe('P00%');
    expect(toLikePattern('P0*', { trailingWildcard: true })).toBe('P0%');
    expect(toLikePattern('P00')).toBe('P00');
    expect(toLikePattern('100%', { trailingWildcard: true })).toBe('100\\%%');
    expect(toLikePattern('star\\*', { trailingWildcard: true })).toBe('star*%');
    expect(toLikePattern('dir\\\\*', { trailingWildcard: true })).toBe('dir\\\\%');
  });

  it('rejects empty patterns and NUL', () => {
    expect(() => toLikePattern('')).toThrow(/Empty pattern/);
    expect(() => toLikePattern('a\0b')).toThrow(/NUL/);
  });
});

describe('toLikePattern in SQLite', () => {
  it('matches a literal % only with a %', () => {
    expect(matches('100%.txt')).toEqual(['100%.txt']);
  });

  it('matches _ as exactly one character, \\_ as an underscore', () => {
    expect(matches('a_b.txt')).toEqual(['a_b.txt', 'axb.txt']);
    expect(matches('a\\_b.txt')).toEqual(['a_b.txt']);
    expect(matches('a__b.txt')).toEqual([]);
  });

  it('matches \\* as a literal star, * across folders', () => {
    expect(matches('star\\*.txt')).toEqual(['star*.txt']);
    expect(matches('star*.txt')).toEqual(['star*.txt', 'starX.txt']);
    expect(matches('*s001.nii')).toEqual(['t1/s001.nii', 'T1/S001.NII']);
  });

  it('matches a backslash written alone or as \\\\', () => {
    expect(matches('back\\slash.txt')).toEqual(['back\\slash.txt']);
    expect(matches('back\\\\slash.txt')).toEqual(['back\\slash.txt']);
  });

  it('ignores ASCII case but compares other letters exactly', () => {
    expect(matches('t1/s001.nii')).toEqual(['t1/s001.nii', 'T1/S001.NII']);
    expect(matches('ünïcödé.nii')).toEqual(['ünïcödé.nii']);
  });

  it('applies the trailing wildcard', () => {
    expect(matches('100', { trailingWildcard: true })).toEqual(['100%.txt', '100x.txt']);
  });
});
