import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI: tests run the same binary users do (`npm test` builds first). */
export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cohort ARGS` as a child process with a controlled environment (no shell involved). */
export function runCohort(
  args: readonly string[],
  env: Record<string, string>,
  options: SpawnSyncOptions = {},
): CliRun {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it).`);
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...clusterLocation(), ...env },
    ...options,
  });
  return { code: result.status ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** The final report of `cohort run|rerun|resume --json`: the stream's last line (task events precede it). */
export function runReport<T = Record<string, unknown>>(stdout: string): T {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as T;
}

/**
 * Where a separate SGE cell is (scripts/cluster/sge-up.sh with COHORT_SGE_DIR, then its env.sh), or a
 * separate Slurm (SLURM_CONF of slurm-up.sh's COHORT_SLURM_DIR): the CLI must talk to the cluster the
 * test brought up, not to the default one.
 */
function clusterLocation(): Record<string, string> {
  const names = ['SGE_ROOT', 'SGE_CELL', 'SGE_QMASTER_PORT', 'SGE_EXECD_PORT', 'SLURM_CONF'];
  return Object.fromEntries(names.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
}
