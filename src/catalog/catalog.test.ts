import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { resolveConfig } from '../config/resolve-config.js';
import { MIGRATIONS } from '../db/migrations.js';
import { openCatalog } from './catalog.js';

describe('openCatalog', () => {
  it('gives every new catalog its own runs folder under COHORT_HOME, and keeps it across opens', () => {
    const home = join(tempDir(), 'home');
    const one = openCatalog(resolveConfig({ home, databasePath: join(home, 'one.db') }, {}));
    const two = openCatalog(resolveConfig({ home, databasePath: join(home, 'two.db') }, {}));
    expect(one.runsDir).toMatch(new RegExp(`^${join(home, 'runs')}/[0-9a-f]{16}$`));
    expect(two.runsDir).not.toBe(one.runsDir);
    const { runsDir } = one;
    one.close();
    two.close();
    const again = openCatalog(resolveConfig({ home, databasePath: join(home, 'one.db') }, {}));
    expect(again.runsDir).toBe(runsDir);
    again.close();
  });

  it('leaves the run folders of a catalog that had runs before catalog ids where they were', () => {
    const home = join(tempDir(), 'home');
    mkdirSync(home, { recursive: true });
    const old = new Database(join(home, 'older.db'));
    old.exec(
      `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
    );
    for (const m of MIGRATIONS.filter((m) => m.name !== 'catalog id')) {
      old.exec(m.sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
    }
    old.exec(`INSERT INTO projects (name, root, layout, created_at) VALUES ('p', '/data', 'folders', 0);
      INSERT INTO runs (project_id, batch_name, definition, level, selection, run_mode, executor, owner, created_at)
      VALUES (1, 'b', '{}', 'study', '*', 'chained', 'local', 'me', 0);`);
    old.close();
    const upgraded = openCatalog(resolveConfig({ home, databasePath: join(home, 'older.db') }, {}));
    expect(upgraded.runsDir).toBe(join(home, 'runs'));
    upgraded.close();
  });
});
