import { copyFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/resolve-config.js';
import { runCli } from '../src/cli/run-cli.js';
import { runCohort, type CliRun } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';
import { writeTree } from './helpers/write-tree.js';

const BUNDLE = fileURLToPath(new URL('../dist/cli/lean-cli.bundle.js', import.meta.url));

/** The whole CLI, in this process, with every command loaded: the reference for the lean entry. */
async function wholeCli(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, resolveConfig({}, env), {
    out: (text) => (stdout += text),
    err: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}

describe('cohort add/select/tag through the lean entry (dist/cli/main.js, bundled)', () => {
  it('prints, exits and changes the catalog exactly as the whole CLI does, pinned to the job project', async () => {
    expect(existsSync(BUNDLE), `${BUNDLE} is missing: run \`npm run build\``).toBe(true);
    // main.js ignores a bundle older than the modules (a bare \`tsc\` after a build): this runs the bundle.
    expect(statSync(BUNDLE).mtimeMs).toBeGreaterThanOrEqual(statSync(BUNDLE.replace('.bundle', '')).mtimeMs);
    const dir = tempDir();
    const root = join(dir, 'root');
    writeTree(root, {
      'P001/20200101/t1/s001.nii': 'a',
      'P001/20200101/t1/s002 $(x) é.nii': 'b',
      'P002/20200301/t1/s001.nii': 'c',
    });
    // A second project with a root of its own (roots may not overlap).
    const otherRoot = join(dir, 'other-root');
    writeTree(otherRoot, { 'Q001/20200301/t1/s001.nii': 'd' });
    const home = join(dir, 'home');
    expect(runCohort(['create', 'proj', root], { COHORT_HOME: home }).code).toBe(0);
    expect(runCohort(['create', 'other', otherRoot], { COHORT_HOME: home }).code).toBe(0);
    // Twin catalogs: the spawned lean CLI works on one, the in-process whole CLI on the other.
    copyFileSync(join(home, 'cohort.db'), join(dir, 'twin.db'));
    writeTree(root, { 'P001/20200101/masks/mask.nii': 'm' });
    const job = {
      COHORT_HOME: home,
      COHORT_PROJECT: 'proj',
      COHORT_JOB_PROJECT: 'proj',
      COHORT_STUDY: 'P001#20200101',
    };
    const lines: string[][] = [
      ['add', join(root, 'P001/20200101/masks/mask.nii'), '--tag', 'brainmask', '--tag', 'qc'],
      ['add', join(root, 'P001/20200101/masks/missing.nii')],
      ['select', 'tag:brainmask'],
      ['select', '--json', 'P001', 'file:t1/*'],
      ['tag', 'add', 'seen', 'P001#20200101'],
      ['tag', 'add', 'bad tag', 'P001'],
      ['tag', 'remove', 'qc', '--on', 'files', 'tag:qc'],
      ['select', 'tag:qc'],
      ['select', '--project', 'other', '*'],
      ['add', '--help'],
      ['tag', 'list'],
      ['select', '--bogus'],
    ];
    for (const line of lines) {
      const lean = runCohort(line, job);
      const whole = await wholeCli(line, { ...job, COHORT_DB: join(dir, 'twin.db') });
      expect(lean, line.join(' ')).toEqual(whole);
    }
    expect(runCohort(['select', 'tag:brainmask'], job).stdout.trim()).toBe(
      join(root, 'P001/20200101/masks/mask.nii'),
    );
    const pinned = runCohort(['select', '--project', 'other', '*'], job);
    expect(pinned.code).toBe(2);
    expect(pinned.stderr).toContain("Inside a job of project 'proj', project 'other' is not reachable.");
  });
});
