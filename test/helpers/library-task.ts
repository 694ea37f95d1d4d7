import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { buildCommand } from '../../src/jobs/build-command.js';
import {
  BUNDLED_LIBRARY_DIR,
  libraryJob,
  libraryJobDefinition,
  loadLibrary,
} from '../../src/jobs/library.js';
import type { ResolvedArguments } from '../../src/jobs/task-command.js';
import { pwnedFiles, runTask, type TaskResult } from '../../src/jobs/test-fixture.js';

/**
 * Helpers of the integration tests of the bundled library jobs: run one job the way an executor
 * would, run MRtrix3 tools and Python (nibabel, numpy) for reference numbers.
 */

const library = loadLibrary([BUNDLED_LIBRARY_DIR]);

/** Runs the bundled library job `id` with these values in `workDir`, as an executor would. */
export async function libraryTask(
  id: string,
  values: ResolvedArguments,
  workDir: string,
  env: Readonly<Record<string, string>> = {},
): Promise<TaskResult> {
  const command = buildCommand(libraryJobDefinition(libraryJob(id, library)), values, workDir, { library });
  return runTask(command, workDir, env);
}

/** {@link libraryTask}, failing the test on a non-zero exit or an injected file; returns its stderr. */
export async function runLibraryJob(
  id: string,
  values: ResolvedArguments,
  workDir: string,
  env: Readonly<Record<string, string>> = {},
): Promise<string> {
  const result = await libraryTask(id, values, workDir, env);
  expect(result.code, `${id} failed:\n${result.stderr}`).toBe(0);
  expect(pwnedFiles(join(workDir, '..'))).toEqual([]);
  return result.stderr;
}

/** Runs a tool (argv, no shell) and returns its stdout; fails the test on a non-zero exit. */
export function tool(program: string, ...args: readonly string[]): string {
  const out = spawnSync(program, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  expect(out.status, `${program} ${args.join(' ')}:\n${out.stderr}`).toBe(0);
  return out.stdout;
}

/** Numbers of a whitespace- or comma-separated matrix file (comment lines starting with # skipped). */
export function parseMatrix(text: string): number[][] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) =>
      line
        .trim()
        .split(/[\s,]+/)
        .map(Number),
    );
}

// A pyenv or virtualenv python3 first on PATH often lacks Debian's python3-nibabel (in /usr/bin).
const PYTHONS = ['python3', '/usr/bin/python3'];
let python: string | undefined;

/**
 * Runs Python `code` with nibabel and numpy; `input` goes to it as JSON on stdin (so paths need no
 * quoting) and its stdout is parsed as JSON.
 */
export function pythonJson(code: string, input: unknown): unknown {
  python ??= PYTHONS.find(
    (p) => spawnSync(p, ['-c', 'import nibabel, numpy'], { stdio: 'ignore' }).status === 0,
  );
  if (python === undefined) {
    throw new Error('No python3 with nibabel and numpy — run: bash scripts/install-test-deps.sh');
  }
  const out = spawnSync(python, ['-c', code], { input: JSON.stringify(input), encoding: 'utf8' });
  expect(out.status, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as unknown;
}

/** A temporary folder for a whole test file (made in beforeAll; the caller removes it in afterAll). */
export function fileDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * The files registered in a catalog's analysis folders, with their tags: `name/path` -> tags. Read
 * straight from the database (no CLI command lists analysis folders' files), read-only.
 */
export function analysisFiles(database: string): Map<string, string[]> {
  const db = new Database(database, { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT a.name || '/' || f.path AS file, group_concat(t.tag) AS tags
         FROM files f JOIN analyses a ON a.id = f.analysis_id LEFT JOIN file_tags t ON t.file_id = f.id
         WHERE f.present = 1 GROUP BY f.id`,
      )
      .all() as { file: string; tags: string | null }[];
    return new Map(rows.map((r) => [r.file, r.tags === null ? [] : r.tags.split(',').sort()]));
  } finally {
    db.close();
  }
}
