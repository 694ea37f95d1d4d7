import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.js';
import { writeTree } from '../../../test/helpers/write-tree.js';
import { resolveConfig } from '../../config/resolve-config.js';
import type { Db } from '../../db/open-database.js';
import { openCatalog } from '../catalog.js';
import { createProject } from '../project-store.js';
import { indexProject } from './index-project.js';

/**
 * The real database, counting how often each statement text runs (run, get, all, iterate), and the
 * write transactions begun (as 'BEGIN IMMEDIATE').
 */
function counting(target: Db): { db: Db; runs: Map<string, number> } {
  const runs = new Map<string, number>();
  const db = new Proxy(target, {
    get(real, key) {
      if (key === 'transaction') {
        // Counts the write transactions begun (`.immediate()`, as the indexer's writers use).
        return (fn: (...args: unknown[]) => unknown) => {
          const tx = real.transaction(fn);
          return Object.assign((...args: unknown[]) => tx(...args), tx, {
            immediate: (...args: unknown[]) => {
              runs.set('BEGIN IMMEDIATE', (runs.get('BEGIN IMMEDIATE') ?? 0) + 1);
              return tx.immediate(...args);
            },
          });
        };
      }
      if (key !== 'prepare') {
        const value: unknown = Reflect.get(real, key);
        return typeof value === 'function' ? (value as () => unknown).bind(real) : value;
      }
      return (text: string) => {
        const statement = real.prepare(text);
        const proxy: typeof statement = new Proxy(statement, {
          get(stmt, k) {
            const value: unknown = Reflect.get(stmt, k);
            if (typeof value !== 'function') return value;
            return (...args: unknown[]) => {
              if (k === 'run' || k === 'get' || k === 'all' || k === 'iterate')
                runs.set(text, (runs.get(text) ?? 0) + 1);
              const result = (value as (...a: unknown[]) => unknown).apply(stmt, args);
              return result === stmt ? proxy : result; // raw(), pluck() return the statement
            };
          },
        });
        return proxy;
      };
    },
  });
  return { db, runs };
}

/** Steps of SQLite's plan that read a whole table, or a whole project's rows, of the big tables. */
function wholeReads(db: Db, text: string): string[] {
  const params = (text.match(/\?/g) ?? []).map(() => 1);
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as Array<{ detail: string }>;
  return plan
    .map((row) => row.detail)
    .filter(
      (d) =>
        /^SCAN (subjects|studies|files)\b/.test(d) ||
        /^SEARCH (subjects|studies|files|p|s|f) USING .*\(project_id=\?\)$/.test(d),
    );
}

describe('indexing statements', () => {
  it('look up every subject, study and file through an index, never a whole project (linear in subjects)', async () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const files: Record<string, string> = {};
    for (let p = 1; p <= 6; p++)
      for (const study of ['20200101', '20210101'])
        for (const series of ['t1', 'dwi']) files[`P00${p}/${study}/${series}/s001.nii`] = `${p}`;
    writeTree(root, files);
    const catalog = openCatalog(resolveConfig({ home: join(dir, 'home') }, {}));
    const project = createProject(catalog.db, { name: 'test', root, layout: 'folders' });
    const { db, runs } = counting(catalog.db);
    const spied = { ...catalog, db };
    await indexProject(spied, project, { threads: 1 });
    writeTree(root, { 'P001/20200101/t1/s002.nii': 'new' });
    await indexProject(spied, project, { threads: 1 });

    const perItem = [...runs].filter(([, n]) => n >= 6).map(([text]) => text);
    expect(perItem.some((t) => t.includes('p.folder = ?'))).toBe(true); // the subject lookup ran per subject
    for (const text of perItem) expect(wholeReads(catalog.db, text), text).toEqual([]);
    // The check itself catches the quadratic lookup of issue 18 on a catalog without the index.
    catalog.db.exec('DROP INDEX subjects_folder');
    const lookup = perItem.find((t) => t.includes('p.folder = ?')) ?? '';
    expect(wholeReads(catalog.db, lookup)).not.toEqual([]);
    catalog.close();
  });

  it('write nothing for subjects whose files did not change', async () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    writeTree(root, {
      'P001/20200101/t1/a.nii': 'a',
      'P002/20200101/t1/a.nii': 'b',
      'P003/20200101/t1/a.nii': 'c',
    });
    const catalog = openCatalog(resolveConfig({ home: join(dir, 'home') }, {}));
    const project = createProject(catalog.db, { name: 'test', root, layout: 'folders' });
    await indexProject(catalog, project, { threads: 1 });
    writeTree(root, { 'P002/20200101/t1/a.nii': 'changed size' });
    const { db, runs } = counting(catalog.db);
    const result = await indexProject({ ...catalog, db }, project, { threads: 1 });
    expect(result.counts).toMatchObject({ filesChanged: 1, filesUnchanged: 2 });
    const upserts = (table: string): number =>
      [...runs].filter(([t]) => t.includes(`INSERT INTO ${table} `)).reduce((sum, [, n]) => sum + n, 0);
    expect([upserts('subjects'), upserts('studies'), upserts('files')]).toEqual([1, 1, 1]); // P002 only
    // With nothing changed at all, not even a write transaction is begun.
    const before = runs.get('BEGIN IMMEDIATE') ?? 0;
    expect(before).toBeGreaterThan(0); // the counting works: the rescan above wrote P002
    await indexProject({ ...catalog, db }, project, { threads: 1 });
    expect(upserts('subjects')).toBe(1);
    expect(runs.get('BEGIN IMMEDIATE') ?? 0).toBe(before);
    catalog.close();
  });
});
