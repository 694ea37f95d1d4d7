import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/resolve-config.js';
import { openCatalog } from '../src/catalog/catalog.js';
import { createProject } from '../src/catalog/project-store.js';
import { indexProject } from '../src/catalog/indexer/index-project.js';
import { CLI, runCohort } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';
import { writeTree } from './helpers/write-tree.js';

const RESCAN_UNPRIVILEGED = new URL('./helpers/rescan-unprivileged.mjs', import.meta.url).pathname;

function fixture(
  subjects: number,
  filesPerStudy: number,
): { dir: string; root: string; env: Record<string, string> } {
  const dir = tempDir();
  const root = join(dir, 'root');
  const files: Record<string, string> = {};
  for (let p = 0; p < subjects; p++) {
    for (let f = 0; f < filesPerStudy; f++)
      files[`P${String(p).padStart(4, '0')}/20200101/t1/s${f}.nii`] = 'x';
  }
  writeTree(root, files);
  return { dir, root, env: { COHORT_HOME: join(dir, 'home'), COHORT_DB: join(dir, 'home', 'cohort.db') } };
}

describe('index faults', () => {
  it('reports an unreadable folder, indexes the rest, and keeps what it could not see', () => {
    const { root, env, dir } = fixture(3, 2);
    expect(runCohort(['create', 'p', root], env).code).toBe(0);
    // The rescan drops to an unprivileged user (root reads everything): let it write the catalog.
    chmodSync(join(dir, 'home'), 0o777);
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(`${env.COHORT_DB ?? ''}${suffix}`)) chmodSync(`${env.COHORT_DB ?? ''}${suffix}`, 0o666);
    }
    chmodSync(join(root, 'P0001/20200101/t1'), 0o000);
    writeTree(root, { 'P0002/20200101/t1/new.nii': 'x' });
    chmodSync(join(root, 'P0002/20200101/t1'), 0o777);
    const run = spawnSync(process.execPath, [RESCAN_UNPRIVILEGED, join(dir, 'home')], { encoding: 'utf8' });
    chmodSync(join(root, 'P0001/20200101/t1'), 0o755);
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      counts: Record<string, number>;
      warnings: Array<{ path: string; problem: string }>;
    };
    expect(result.warnings).toEqual([
      expect.objectContaining({ path: 'P0001/20200101/t1', problem: 'unreadable' }),
    ]);
    expect(result.counts).toMatchObject({ filesAdded: 1, filesRemoved: 0, filesUnchanged: 4 });
  });

  it('waits for a database locked by another process, and says so clearly when it gives up', async () => {
    const { dir, root } = fixture(2, 1);
    const home = join(dir, 'home');
    const catalog = openCatalog(resolveConfig({ home, busyTimeoutMs: 400 }, {}));
    const project = createProject(catalog.db, { name: 'p', root, layout: 'folders' });
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D=require('better-sqlite3');const d=new D(process.argv[1]);d.exec('BEGIN IMMEDIATE');console.log('locked');setTimeout(()=>{d.exec('COMMIT');process.exit(0)},1500)`,
        catalog.config.databasePath,
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    await expect(indexProject(catalog, project)).rejects.toMatchObject({
      code: 'DATABASE_BUSY',
      retryable: true,
      message: expect.stringContaining('locked by another process') as unknown,
    });
    catalog.close();
    const patient = openCatalog(resolveConfig({ home, busyTimeoutMs: 10_000 }, {}));
    const result = await indexProject(patient, project);
    expect(result.counts.filesAdded).toBe(2);
    patient.close();
    holder.kill();
  });

  it('completes an index killed midway on the rerun, duplicating nothing', async () => {
    const { root, env, dir } = fixture(400, 40);
    // A tiny project first, beside the big one (a root may not contain COHORT_HOME or another root).
    writeTree(join(dir, 'tiny'), { 'P1/20200101/t1/s.nii': 'x' });
    expect(runCohort(['create', 'p', join(dir, 'tiny'), '--layout', 'folders'], env).code).toBe(0);
    const child = spawn(process.execPath, [CLI, 'create', 'big', root, '--json'], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    // Kill it once the first batch has been written.
    const db = new Database(env.COHORT_DB ?? '', { readonly: false, timeout: 5000 });
    const count = db
      .prepare(`SELECT count(*) FROM files f JOIN projects p ON p.id = f.project_id WHERE p.name = 'big'`)
      .pluck();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && Number(count.get()) === 0) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const partial = Number(count.get());
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(16_000);
    const rerun = runCohort(['rescan', '--project', 'big', '--json'], env);
    expect(rerun.code, rerun.stderr).toBe(0);
    const result = JSON.parse(rerun.stdout) as {
      resumedInterrupted: boolean;
      counts: { filesAdded: number };
    };
    expect(result.resumedInterrupted).toBe(true);
    expect(result.counts.filesAdded).toBe(16_000 - partial);
    expect(Number(count.get())).toBe(16_000);
    db.close();
  });
});
