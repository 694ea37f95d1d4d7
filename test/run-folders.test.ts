import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCatalog } from '../src/catalog/catalog.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { runCohort, runReport } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';
import { writeTree } from './helpers/write-tree.js';

const BATCH = {
  name: 'touch',
  level: 'study',
  jobs: [
    {
      name: 'Touch',
      language: 'bash',
      script: 'echo "$COHORT_ITEM" > "$o1"',
      args: [{ type: 'OUT', name: 'o1', path: 'out/touched.txt', ref: { kind: 'current' } }],
    },
  ],
};

/** The log folders of a run's tasks and the catalog's runs folder, read from the catalog itself. */
function runFolders(env: Record<string, string>, runId: number): { runsDir: string; logDirs: string[] } {
  const catalog = openCatalog(resolveConfig({}, env));
  try {
    const logDirs = catalog.db
      .prepare('SELECT log_dir FROM tasks WHERE run_id = ? ORDER BY id')
      .pluck()
      .all(runId) as string[];
    return { runsDir: catalog.runsDir, logDirs };
  } finally {
    catalog.close();
  }
}

describe('run folders', () => {
  it('are keyed by catalog: catalogs sharing COHORT_HOME, or made afresh, never share runs/1', () => {
    const dir = tempDir();
    const home = join(dir, 'home');
    const batch = join(dir, 'touch.json');
    writeFileSync(batch, JSON.stringify(BATCH));
    const runOnce = (db: string, root: string): { runsDir: string; logDirs: string[] } => {
      writeTree(root, { 'P001/20200101/t1/a.nii': 'a', 'P002/20200101/t1/a.nii': 'b' });
      const env = { COHORT_HOME: home, COHORT_DB: join(dir, db) };
      expect(runCohort(['create', 'p', root], env).code).toBe(0);
      const run = runCohort(['run', batch, '--json'], env);
      expect(run.code, run.stderr).toBe(0);
      expect(runReport(run.stdout)).toMatchObject({ runId: 1 });
      return runFolders(env, 1);
    };

    const a = runOnce('a.db', join(dir, 'root-a'));
    const b = runOnce('b.db', join(dir, 'root-b'));
    expect(a.runsDir).not.toBe(b.runsDir);
    for (const { runsDir, logDirs } of [a, b]) {
      expect(runsDir.startsWith(join(home, 'runs') + '/')).toBe(true);
      expect(logDirs).toHaveLength(2);
      for (const logDir of logDirs) expect(logDir.startsWith(join(runsDir, '1') + '/')).toBe(true);
    }
    // Catalog A's run 1 still holds its own two task folders only.
    expect(readdirSync(join(a.runsDir, '1')).filter((n) => n.startsWith('task-'))).toHaveLength(2);

    // A catalog made afresh at the same path is another catalog: its run 1 is elsewhere too.
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `a.db${suffix}`), { force: true });
    const fresh = runOnce('a.db', join(dir, 'root-c'));
    expect(fresh.runsDir).not.toBe(a.runsDir);
    // ...and the old catalog's run 1 is left as it was.
    expect(readdirSync(join(a.runsDir, '1')).filter((n) => n.startsWith('task-'))).toHaveLength(2);
  });
});
