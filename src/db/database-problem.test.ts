import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseProblem } from './database-problem.js';
import { openDatabase } from './open-database.js';

const dirs: string[] = [];
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-dbp-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('databaseProblem', () => {
  it('names a full disk (a real SQLITE_FULL, from a page limit) and says what to do', () => {
    const path = join(temp(), 'full.db');
    const db = openDatabase(path, { busyTimeoutMs: 100 });
    db.exec('CREATE TABLE filler (x TEXT)');
    // SQLite answers SQLITE_FULL when the database may not grow: the same code as a full disk.
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.pragma(`max_page_count = ${pages + 1}`);
    let thrown: unknown;
    try {
      const insert = db.prepare('INSERT INTO filler (x) VALUES (?)');
      for (let i = 0; i < 10_000; i++) insert.run(`tag-${i}-${'x'.repeat(200)}`);
    } catch (error) {
      thrown = error;
    }
    db.close();
    expect((thrown as { code?: string }).code).toBe('SQLITE_FULL');
    const problem = databaseProblem(thrown, path);
    expect(problem).toMatchObject({ code: 'FILESYSTEM', retryable: true });
    expect(problem?.message).toMatch(/disk holding .*full\.db is full/);
    expect(problem?.hint).toMatch(/Free some space/);
  });

  it('names a file that is not a database', () => {
    const path = join(temp(), 'garbage.db');
    writeFileSync(path, Buffer.alloc(4096, 0x41));
    expect(() => openDatabase(path, { busyTimeoutMs: 100, create: false })).toThrow(
      /garbage\.db is damaged or not a database \(SQLITE_NOTADB\)/,
    );
  });

  it('leaves other errors alone', () => {
    expect(databaseProblem(new Error('boom'), '/x.db')).toBeUndefined();
    expect(
      databaseProblem(Object.assign(new Error('x'), { code: 'SQLITE_CONSTRAINT' }), '/x.db'),
    ).toBeUndefined();
  });
});
