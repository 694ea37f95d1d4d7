import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCohort } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';

const DICOM = resolve(import.meta.dirname, '../test-data/dicom');
const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

function source(dir: string, name: string): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  for (const f of ['0.dcm', '1.dcm', 'philips_mprage.dcm']) copyFileSync(join(DICOM, f), join(folder, f));
  return folder;
}

describe('progress of cohort import-dicom (issue 16 item 1)', () => {
  it('draws the conversion line on a terminal, and none in a pipe', () => {
    const dir = tempDir();
    const env = { COHORT_HOME: join(dir, 'home') };
    expect(runCohort(['demo', '--subjects', '1'], env).code).toBe(0);
    const command = [process.execPath, CLI, 'import-dicom', source(dir, "tty 'scan'")].map(quote).join(' ');
    const tty = spawnSync('script', ['-qfec', command, '/dev/null'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    });
    const out = String(tty.stdout);
    expect(out).toMatch(/\rconverting: \d+ of 3 DICOM files · \d+ files\/s · \S+ elapsed/);
    expect(out).toMatch(/file\(s\) added to the catalog/);

    const piped = runCohort(['import-dicom', source(dir, 'piped')], env);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout + piped.stderr).not.toContain('\r');
    expect(piped.stdout).not.toContain('converting:');
  }, 120_000);
});
