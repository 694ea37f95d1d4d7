import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskCommand } from './task-command.js';

/** Test helpers: run a TaskCommand the way an executor would, without the engine (written elsewhere). */

/** A file name made of everything that breaks naive quoting: spaces, quotes, `$(...)`, backticks, globs, unicode. */
export const HOSTILE_NAME = `a b 'q' "dq" $(touch pwned) \`touch pwned\` ; & * ü 日本 $HOME \\ end`;

export interface TaskResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Writes the command's files, creates its folders, then runs argv in `workDir` with its env added. */
export async function runTask(
  command: TaskCommand,
  workDir: string,
  extraEnv: Readonly<Record<string, string>> = {},
): Promise<TaskResult> {
  mkdirSync(workDir, { recursive: true });
  for (const file of command.files) writeFileSync(file.path, file.content, 'utf8');
  for (const folder of command.mkdirs) mkdirSync(folder, { recursive: true });
  const [program, ...args] = command.argv;
  if (program === undefined) throw new Error('empty argv');
  const child = spawn(program, args, {
    cwd: workDir,
    env: { ...process.env, ...command.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { code, stdout, stderr };
}

/** A fresh temporary folder. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `cohort-${prefix}-`));
}

/** Fails (never skips) when a program the test runs is missing, saying how to install it. */
export function requireTools(...tools: readonly string[]): void {
  const missing = tools.filter(
    (tool) => spawnSync('/bin/sh', ['-c', 'command -v "$1"', 'sh', tool]).status !== 0,
  );
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} not on PATH — run: bash scripts/install-test-deps.sh`);
  }
}

/** The test-data/ folder, failing with the fix when it has not been fetched. */
export function testData(...parts: readonly string[]): string {
  const path = join(import.meta.dirname, '..', '..', 'test-data', ...parts);
  if (!existsSync(path)) throw new Error(`${path} is missing — run: bash scripts/install-test-deps.sh`);
  return path;
}

/**
 * Every file or folder named `pwned` (left by an injected `touch pwned`) under `dirs`, or directly in
 * the current directory (not below it: node_modules is large).
 */
export function pwnedFiles(...dirs: readonly string[]): string[] {
  const here = existsSync(join(process.cwd(), 'pwned')) ? [join(process.cwd(), 'pwned')] : [];
  return here.concat(
    ...dirs.map((dir) =>
      existsSync(dir)
        ? readdirSync(dir, { recursive: true, encoding: 'utf8' })
            .filter((name) => name.split('/').pop() === 'pwned')
            .map((name) => join(dir, name))
        : [],
    ),
  );
}
