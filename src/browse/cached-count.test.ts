import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open-database.js';
import { cachedCount } from './cached-count.js';

const dir = mkdtempSync(join(tmpdir(), 'cohort-cached-count-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cachedCount', () => {
  const path = join(dir, 'catalog.db');
  const db = openDatabase(path, { busyTimeoutMs: 1000 });
  const other = openDatabase(path, { busyTimeoutMs: 1000 });
  db.exec('CREATE TABLE IF NOT EXISTS t (x INTEGER)');
  const counted: string[] = [];
  const count = (key: string): number =>
    cachedCount(db, key, () => {
      counted.push(key);
      return db.prepare('SELECT count(*) FROM t').pluck().get() as number;
    });

  it('counts once per key while nothing changes', () => {
    expect([count('a'), count('a'), count('b'), count('a')]).toEqual([0, 0, 0, 0]);
    expect(counted).toEqual(['a', 'b']);
  });

  it('counts again after a write on the same connection', () => {
    db.prepare('INSERT INTO t VALUES (1)').run();
    expect(count('a')).toBe(1);
    expect(counted.at(-1)).toBe('a');
  });

  it('counts again after another connection (another process) commits', () => {
    counted.length = 0;
    expect(count('a')).toBe(1);
    expect(counted).toEqual([]);
    other.prepare('INSERT INTO t VALUES (2)').run();
    expect(count('a')).toBe(2);
    expect(counted).toEqual(['a']);
  });
});
