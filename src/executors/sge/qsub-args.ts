import { invalidInput } from '../../errors/cohort-error.js';
import type { Resources } from '../../jobs/job-definition.js';
import type { TaskSpec } from '../executor.js';
import type { PlannedJob } from '../cluster/submission-plan.js';

/** How a task's resources and the executor's defaults become qsub words. */
export interface QsubResourceOptions {
  /** Queue when the task names none. */
  readonly queue?: string | undefined;
  /** Parallel environment for multi-CPU tasks (`-pe NAME N`). */
  readonly parallelEnvironment: string;
  /** Seconds between the wrapper's SIGTERM at the time limit and its SIGKILL. */
  readonly killGraceSeconds: number;
}

/**
 * qsub words for one task's resources: `-q`, `-pe smp N` for cpus > 1, `-l h_vmem=` (SGE counts it per
 * slot, so the task's total memory is divided by its CPUs), and `-l h_rt=`: the wrapper ends the task at
 * its limit (and records "time limit"); SGE's hard limit, after the kill grace and a margin for the
 * wrapper, is the backstop. GPUs have no
 * standard SGE resource: a queue's scheduler words (e.g. `-l gpu=1`) must ask for them.
 *
 * @example
 * resourceArgs({ cpus: 4, memoryMB: 8000, timeMinutes: 30 }, { queue: 'all.q', parallelEnvironment: 'smp', killGraceSeconds: 10 }, [])
 * // ['-q', 'all.q', '-pe', 'smp', '4', '-l', 'h_vmem=2000M', '-l', 'h_rt=1815']
 */
export function resourceArgs(
  resources: Resources,
  options: QsubResourceOptions,
  schedulerArgs: readonly string[],
): string[] {
  const args: string[] = [];
  const queue = resources.queue ?? options.queue;
  if (queue !== undefined) args.push('-q', queue);
  const cpus = Math.max(1, Math.ceil(resources.cpus ?? 1));
  if (cpus > 1) args.push('-pe', options.parallelEnvironment, String(cpus));
  if (resources.memoryMB !== undefined) {
    if (!(resources.memoryMB > 0))
      throw invalidInput(`memoryMB must be more than 0, got ${resources.memoryMB}`);
    args.push('-l', `h_vmem=${Math.ceil(resources.memoryMB / cpus)}M`);
  }
  const seconds = timeSeconds(resources);
  if (seconds !== undefined) {
    args.push('-l', `h_rt=${seconds + options.killGraceSeconds + HARD_LIMIT_MARGIN_SECONDS}`);
  }
  if ((resources.gpus ?? 0) > 0 && schedulerArgs.length === 0) {
    throw invalidInput(
      'SGE has no standard GPU resource',
      "Give the queue scheduler words that ask for your site's GPU complex, e.g. -l gpu=1",
    );
  }
  return args;
}

/** After the wrapper's own kill: time for it to record the end before SGE's SIGKILL. */
const HARD_LIMIT_MARGIN_SECONDS = 5;

/** The run-time limit in whole seconds (at least 1), or undefined for none. */
export function timeSeconds(resources: Resources): number | undefined {
  const minutes = resources.timeMinutes;
  return minutes === undefined ? undefined : Math.max(1, Math.ceil(minutes * 60));
}

/**
 * A job name SGE accepts (no `/ : @ \ * ?`, not starting with a digit, short), from the task id: it
 * shows in `qstat` and `qacct`, so a person can tell which Cohort task a job is.
 */
export function jobName(taskId: string): string {
  return `c_${taskId.replace(/[^A-Za-z0-9_.-]/g, '_')}`.slice(0, 100);
}

/**
 * The qsub words of one planned job (its first task stands for all: an array's tasks share resources
 * and scheduler words): name, bash, no SGE output files (the wrapper writes the logs), never rerun
 * behind Cohort's back (it would rewrite the logs), `-t` for an array, `-hold_jid_ad` for an
 * element-wise chain, `-hold_jid` for other dependencies (an array task of an earlier call: its job),
 * resources, the task's scheduler words.
 */
export function jobArgs(
  job: PlannedJob,
  first: TaskSpec,
  jobIds: readonly string[],
  jobIdOfTask: readonly string[],
  options: QsubResourceOptions,
): string[] {
  const args = [
    '-N',
    jobName(first.arrayKey ?? first.taskId),
    '-S',
    '/bin/bash',
    '-o',
    '/dev/null',
    '-j',
    'y',
  ];
  args.push('-r', 'n');
  if (job.members.length > 1) args.push('-t', `1-${job.members.length}`);
  if (job.correspondsTo !== undefined) args.push('-hold_jid_ad', jobIds[job.correspondsTo]!);
  const holds = new Set(
    job.after.map((d) =>
      'task' in d.target ? jobIdOfTask[d.target.task]! : d.target.external.split('.')[0]!,
    ),
  );
  if (holds.size > 0) args.push('-hold_jid', [...holds].join(','));
  const words = first.schedulerArgs ?? [];
  return [...args, ...resourceArgs(first.resources, options, words), ...words];
}
