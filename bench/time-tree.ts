import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Wall time and CPU of a whole process tree (bench/cpu-tree.py: a child subreaper). */
const CPU_TREE = fileURLToPath(new URL('./cpu-tree.py', import.meta.url));

export interface TreeTime {
  /** Until the command answered (what a user waits for). */
  readonly ms: number;
  /** User + system CPU of the command and of every process it started, also those that outlived it. */
  readonly cpuMs: number;
  readonly stdout: string;
}

/**
 * Runs a command under the subreaper harness: `time` would miss the local executor's launcher, which is
 * detached from `cohort run` and reaps the last tasks after it may have answered.
 */
export function timeTree(command: string, args: readonly string[], env: NodeJS.ProcessEnv): TreeTime {
  const result = spawnSync('python3', [CPU_TREE, command, ...args], {
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const report = JSON.parse(String(result.output[3] ?? '{}')) as { wall_ms: number; cpu_ms: number };
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return { ms: report.wall_ms, cpuMs: report.cpu_ms, stdout: result.stdout };
}
