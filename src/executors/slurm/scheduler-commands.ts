import { CohortError } from '../../errors/cohort-error.js';
import type { CommandResult, CommandRunner } from '../cluster/command-runner.js';
import { parseSacct, parseSqueue, SQUEUE_FORMAT } from './parse-squeue.js';
import { countSlurmJobs, parseSlurmLimits, type SlurmLimits } from './slurm-limits.js';
import type { SlurmJob } from './slurm-states.js';

/** The controller could not be reached: a status is stale, not lost. */
const UNREACHABLE =
  /unable to contact slurm controller|connection refused|socket timed out|communication connection failure|zero bytes were transmitted/i;

/** Largest `--jobs` list in one argument (Linux takes 128 KiB per argument). */
const MAX_ID_LIST_CHARS = 100_000;

/**
 * The Slurm commands the executor issues, as argument vectors through one counting CommandRunner, with
 * their failures turned into CohortErrors that name the problem and the fix.
 */
export class SlurmCommands {
  constructor(private readonly runner: CommandRunner) {}

  /** `sbatch --parsable ARGS` with the batch script on stdin; returns the job id. */
  async sbatch(args: readonly string[], script: string): Promise<string> {
    const result = await this.runner.run('sbatch', ['--parsable', ...args], script);
    const id = result.stdout.trim().split(';')[0] ?? '';
    if (result.code === 0 && /^\d+$/.test(id)) return id;
    throw sbatchError(result, args);
  }

  /**
   * Every listed job, pending to finished (`--states=all`, as long as the controller keeps them), one
   * line per array element: one squeue call (more only past ~10,000 ids). Undefined when the controller
   * cannot be reached.
   */
  async squeue(ids: readonly string[]): Promise<SlurmJob[] | undefined> {
    const jobs: SlurmJob[] = [];
    for (const list of idLists(squeueJobIds(ids))) {
      const args = ['--noheader', '--array', '--states=all', `--Format=${SQUEUE_FORMAT}`, `--jobs=${list}`];
      const result = await this.runner.run('squeue', args);
      // Not push(...): a spread of 200,000 elements overflows the call stack.
      if (result.code === 0) for (const job of parseSqueue(result.stdout)) jobs.push(job);
      else if (UNREACHABLE.test(result.stderr)) return undefined;
      // squeue of a single id the controller does not know fails instead of printing nothing.
      else if (!/invalid job id/i.test(result.stderr)) throw commandError('squeue', result);
    }
    return jobs;
  }

  /**
   * Jobs the controller has forgotten (past MinJobAge), from the accounting database: one sacct call.
   * `disabled` when the cluster keeps no accounting (then the tasks' exit records are all there is).
   */
  async sacct(ids: readonly string[]): Promise<SlurmJob[] | 'disabled'> {
    const jobs: SlurmJob[] = [];
    for (const list of idLists(ids)) {
      const format = '--format=JobID,State,ExitCode,NodeList,Start,End';
      const result = await this.runner.run('sacct', [
        '--noheader',
        '--parsable2',
        '--allocations',
        format,
        `--jobs=${list}`,
      ]);
      if (result.code !== 0) {
        if (UNREACHABLE.test(result.stderr)) throw commandError('sacct', result);
        return 'disabled'; // "Slurm accounting storage is disabled", or no slurmdbd to ask
      }
      for (const job of parseSacct(result.stdout)) jobs.push(job);
    }
    return jobs;
  }

  /** MaxArraySize and MaxJobCount from `scontrol show config`; undefined when the controller is unreachable. */
  async limits(): Promise<SlurmLimits | undefined> {
    const result = await this.runner.run('scontrol', ['show', 'config']);
    return result.code === 0 ? parseSlurmLimits(result.stdout) : undefined;
  }

  /**
   * The jobs slurmctld counts against MaxJobCount, of every user, from one `squeue --states=all`: a
   * line each, and a pending array's line one for each element it still holds (countSlurmJobs).
   */
  async jobRecords(): Promise<number> {
    const result = await this.runner.run('squeue', ['--noheader', '--states=all', '--format=%i']);
    if (result.code !== 0) throw commandError('squeue', result);
    return countSlurmJobs(result.stdout);
  }

  /** Ends jobs (SIGTERM, SIGKILL after the cluster's KillWait); ids that already ended are no error. */
  async scancel(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const result = await this.runner.run('scancel', [...ids]);
    if (result.code !== 0 && UNREACHABLE.test(result.stderr)) throw commandError('scancel', result);
  }

  /**
   * `scontrol suspend|resume|hold|release` of many jobs in one call. Jobs in another state (suspending
   * a job that already ended) are passed over, as the local executor does.
   */
  async scontrol(verb: 'suspend' | 'resume' | 'hold' | 'release', ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const result = await this.runner.run('scontrol', [verb, ids.join(',')]);
    if (result.code === 0) return;
    if (UNREACHABLE.test(result.stderr) || /access.*denied|not authorized|permission/i.test(result.stderr)) {
      throw commandError(`scontrol ${verb}`, result);
    }
  }
}

/**
 * The ids to ask squeue for: an array's job id instead of each of its elements (`--array` lists every
 * element of it anyway). 200,000 element ids made 16 squeue calls a poll; their 200 arrays make one.
 * Elements of other jobs of the same array are listed too, and ignored by the caller.
 */
export function squeueJobIds(ids: readonly string[]): string[] {
  return [...new Set(ids.map((id) => id.replace(/_\d+$/, '')))];
}

function idLists(ids: readonly string[]): string[] {
  const lists: string[] = [];
  let current: string[] = [];
  let length = 0;
  for (const id of ids) {
    if (length + id.length + 1 > MAX_ID_LIST_CHARS && current.length > 0) {
      lists.push(current.join(','));
      current = [];
      length = 0;
    }
    current.push(id);
    length += id.length + 1;
  }
  if (current.length > 0) lists.push(current.join(','));
  return lists;
}

function sbatchError(result: CommandResult, args: readonly string[]): CohortError {
  const message = result.stderr.trim() || result.stdout.trim() || `exit code ${result.code}`;
  const option = (name: string): string | undefined =>
    args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const context = { command: 'sbatch', stderr: message };
  if (/invalid partition/i.test(message)) {
    const partition = option('partition') ?? '(the default)';
    return new CohortError('INVALID_INPUT', `Slurm has no partition '${partition}': ${message}`, {
      hint: "List the partitions with `sinfo --summarize` and set the queue's partition to one of them",
      context: { ...context, partition },
    });
  }
  if (
    /node configuration is not available|memory specification|invalid generic resource|gres/i.test(message)
  ) {
    return new CohortError('INVALID_INPUT', `Slurm cannot give the resources asked for: ${message}`, {
      hint: 'Ask for fewer CPUs, less memory or fewer GPUs, or another partition (`sinfo --long --Node`)',
      context,
    });
  }
  if (/time limit/i.test(message)) {
    return new CohortError('INVALID_INPUT', `Slurm refused the time limit: ${message}`, {
      hint: "Ask for less time, within the partition's limit (`sinfo --summarize` shows it)",
      context,
    });
  }
  if (/dependency/i.test(message)) {
    return new CohortError('CONFLICT', `Slurm refused a dependency: ${message}`, {
      hint: 'A task depends on a job Slurm no longer knows (purged or never submitted); resubmit the chain',
      context,
    });
  }
  return commandError('sbatch', result);
}

function commandError(what: string, result: CommandResult): CohortError {
  const message = result.stderr.trim() || result.stdout.trim() || `exit code ${result.code}`;
  const unreachable = UNREACHABLE.test(message);
  return new CohortError(unreachable ? 'NOT_AVAILABLE' : 'TOOL_FAILED', `${what} failed: ${message}`, {
    hint: unreachable
      ? 'The Slurm controller is not answering; check `scontrol ping` and retry once it is back'
      : 'See the message above; `sinfo` and `squeue` show the state of the cluster',
    retryable: unreachable,
    context: { command: what, stderr: message },
  });
}
