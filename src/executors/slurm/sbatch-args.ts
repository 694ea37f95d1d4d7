import type { Resources } from '../../jobs/job-definition.js';
import type { Dependency } from '../executor.js';

/**
 * sbatch options for a task's resources: cpus -> `--cpus-per-task`, memoryMB -> `--mem` (whole MB),
 * timeMinutes -> `--time` (Slurm counts whole minutes: a fraction is rounded up, at least 1),
 * gpus -> `--gres=gpu:N`, queue (else `defaultPartition`) -> `--partition`.
 *
 * @example
 * resourceArgs({ cpus: 4, memoryMB: 8000, timeMinutes: 0.5 }) // ['--cpus-per-task=4', '--mem=8000M', '--time=1']
 */
export function resourceArgs(resources: Resources, defaultPartition?: string): string[] {
  const args: string[] = [];
  const { cpus, memoryMB, timeMinutes, gpus } = resources;
  if (cpus !== undefined) args.push(`--cpus-per-task=${Math.ceil(cpus)}`);
  if (memoryMB !== undefined) args.push(`--mem=${Math.max(1, Math.ceil(memoryMB))}M`);
  if (timeMinutes !== undefined) args.push(`--time=${wholeMinutes(timeMinutes)}`);
  if (gpus !== undefined && gpus > 0) args.push(`--gres=gpu:${Math.ceil(gpus)}`);
  const partition = resources.queue ?? defaultPartition;
  if (partition !== undefined && partition !== '') args.push(`--partition=${partition}`);
  return args;
}

/** A time limit as the whole minutes a scheduler takes: rounded up, at least 1. */
export function wholeMinutes(minutes: number): number {
  return Math.max(1, Math.ceil(minutes));
}

/** A dependency on a resolved executor id (`JOBID` or `JOBID_INDEX`). */
export interface ResolvedDependency {
  readonly id: string;
  readonly kind: Dependency['kind'];
}

/**
 * `--dependency=` value: `afterok:1:2_3,afterany:4` (a comma means all of them), or undefined when
 * there are none. `aftercorr` (element i of this array after element i of that one succeeded) is added
 * for arrays chained element-wise.
 */
export function dependencyValue(
  after: readonly ResolvedDependency[],
  correspondsTo?: string,
): string | undefined {
  const ok = [...new Set(after.filter((d) => d.kind === 'ok').map((d) => d.id))];
  const any = [...new Set(after.filter((d) => d.kind === 'any').map((d) => d.id))];
  const parts = [
    ...(correspondsTo === undefined ? [] : [`aftercorr:${correspondsTo}`]),
    ...(ok.length > 0 ? [`afterok:${ok.join(':')}`] : []),
    ...(any.length > 0 ? [`afterany:${any.join(':')}`] : []),
  ];
  return parts.length > 0 ? parts.join(',') : undefined;
}

/** `%` starts a replacement in sbatch's `--output` pattern; a literal one is written `%%`. */
export function escapeOutputPattern(path: string): string {
  return path.replace(/%/g, '%%');
}
