import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Wall time of a command (argument array, no shell unless the caller asks for bash -c with "$1"). */
export function timeCommand(
  command: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): { ms: number; stdout: string } {
  const started = performance.now();
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    env: env ?? process.env,
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return { ms, stdout: result.stdout };
}

/** One line describing the machine, for docs/benchmarks.md. */
export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

export const ms = (value: number): string => `${value.toFixed(0)} ms`;
export const ratio = (value: number): string => `${value.toFixed(2)}×`;
