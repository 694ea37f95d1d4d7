import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCohort } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';
import { writeTree } from './helpers/write-tree.js';

const DICOM = join(import.meta.dirname, '..', 'test-data', 'dicom', 'philips_mprage.dcm');
const STUDY = 'R3.2.2_Enhanced_Dicom_Phantom/20120310163032';

/** A saved batch whose job copies the imported image; `version` changes its script (a new job version). */
function saveBatch(dir: string, env: Record<string, string>, version: number): void {
  const file = join(dir, `batch-${version}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      name: 'copy',
      level: 'study',
      jobs: [
        {
          name: 'Copy',
          language: 'bash',
          script: `cp "$f1" "$o1"\necho "version ${version}" >> "$o2"`,
          args: [
            { type: 'FILE', name: 'f1', patterns: ['301*/*.nii.gz'], ref: { kind: 'current' } },
            { type: 'OUT', name: 'o1', path: 'derived/copy.nii.gz', ref: { kind: 'current' } },
            { type: 'OUT', name: 'o2', path: 'derived/versions.txt', ref: { kind: 'current' } },
          ],
        },
      ],
    }),
  );
  const saved = runCohort(['batch', 'save', file], env);
  expect(saved.code, saved.stderr).toBe(0);
}

interface LogLine {
  readonly rule: string;
  readonly source: string;
  readonly runId: number | null;
  readonly items: number;
}

function autoLog(env: Record<string, string>): LogLine[] {
  const log = runCohort(['auto', 'log', '--json'], env);
  expect(log.code, log.stderr).toBe(0);
  return JSON.parse(log.stdout) as LogLine[];
}

/** Waits until every task of the project ended (runs started by rules go to background runners). */
async function settled(env: Record<string, string>): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const grid = runCohort(['grid', '--json'], env);
    expect(grid.code, grid.stderr).toBe(0);
    if ((JSON.parse(grid.stdout) as { tasks: unknown[] }).tasks.length === 0) return;
    if (Date.now() > deadline) throw new Error(`tasks still active: ${grid.stdout}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('autoexec rules (integration: the built CLI, dcm2niix, background runners)', () => {
  it('an import of new DICOMs fires a rule once, a rescan does not fire it again, a changed job version does', async () => {
    const dir = tempDir();
    const env = { COHORT_HOME: join(dir, 'home') };
    const root = join(dir, 'root');
    mkdirSync(root);
    mkdirSync(join(dir, 'incoming'));
    copyFileSync(DICOM, join(dir, 'incoming', 'scan.dcm'));
    expect(runCohort(['create', 'stroke', root], env).code).toBe(0);
    saveBatch(dir, env, 1);
    const add = runCohort(['auto', 'add', 'copy-new', '--batch', 'copy', '--trigger', 'new'], env);
    expect(add.code, add.stderr).toBe(0);

    const imported = runCohort(['import-dicom', join(dir, 'incoming')], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/autoexec: rule 'copy-new' started run \d+ on 1 item/);
    await settled(env);
    const versions = join(root, STUDY, 'derived', 'versions.txt');
    expect(existsSync(join(root, STUDY, 'derived', 'copy.nii.gz'))).toBe(true);
    expect(autoLog(env)).toMatchObject([{ rule: 'copy-new', source: 'import-dicom', items: 1 }]);

    // The rescan sees the run's outputs (new files in the study) but the same job and inputs.
    const rescan = runCohort(['rescan'], env);
    expect(rescan.code, rescan.stderr).toBe(0);
    expect(rescan.stderr).not.toMatch(/autoexec/);
    expect(autoLog(env)).toHaveLength(1);

    saveBatch(dir, env, 2);
    const again = runCohort(['rescan'], env);
    expect(again.stderr).toMatch(/autoexec: rule 'copy-new' started run \d+ on 1 item/);
    await settled(env);
    expect(autoLog(env).map((l) => l.source)).toEqual(['rescan', 'import-dicom']);
    expect(readFileSync(versions, 'utf8')).toBe('version 1\nversion 2\n');
    // And once more: nothing new.
    expect(runCohort(['auto', 'fire'], env).stderr).not.toMatch(/started run/);
    expect(autoLog(env)).toHaveLength(2);
  }, 120_000);

  it('a tag rule fires from `cohort tag add` (the lean in-job CLI), not from a running job', async () => {
    const dir = tempDir();
    const env = { COHORT_HOME: join(dir, 'home') };
    const root = join(dir, 'root');
    writeTree(root, { 'P001/20240101/301_t1/t1.nii.gz': 'a', 'P002/20240101/301_t1/t1.nii.gz': 'b' });
    expect(runCohort(['create', 'stroke', root], env).code).toBe(0);
    saveBatch(dir, env, 1);
    const add = runCohort(['auto', 'add', 'on-ok', '--batch', 'copy', '--trigger', 'tag:ok'], env);
    expect(add.code, add.stderr).toBe(0);
    // As a job would call it (COHORT_JOB_PROJECT set): tagged, but nothing fired.
    const inJob = runCohort(['tag', 'add', 'ok', 'P002'], {
      ...env,
      COHORT_JOB_PROJECT: 'stroke',
      COHORT_PROJECT: 'stroke',
    });
    expect(inJob.code, inJob.stderr).toBe(0);
    expect(inJob.stderr).not.toMatch(/autoexec/);
    const tagged = runCohort(['tag', 'add', 'ok', 'P001', '--json'], env);
    expect(tagged.code, tagged.stderr).toBe(0);
    expect(JSON.parse(tagged.stdout)).toMatchObject({ level: 'study', items: 1 });
    expect(tagged.stderr).toMatch(/autoexec: rule 'on-ok' started run \d+ on 2 item/);
    await settled(env);
    expect(autoLog(env)).toMatchObject([{ rule: 'on-ok', source: 'tag add', items: 2 }]);
  }, 60_000);
});
