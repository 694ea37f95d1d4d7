import { CohortError, invalidInput } from '../../errors/cohort-error.js';
import type { CommandResult, CommandRunner } from '../cluster/command-runner.js';
import { parseQacct, type QacctRecord } from './parse-qacct.js';
import { parseQstatListing, parseQstatXml, type QstatListing } from './parse-qstat-xml.js';

/** The master could not be reached (stopped, restarting): a status is stale, not lost. */
const UNREACHABLE =
  /unable to contact qmaster|commlib error|can't find connection|got no connection|failed receiving gdi request/i;

/** Largest id list in one command line (Linux takes 128 KiB per argument, 2 MiB in all). */
const MAX_ID_LIST_CHARS = 100_000;

/**
 * The SGE commands the executor issues, as argument vectors through one counting CommandRunner, with
 * their failures turned into CohortErrors that name the problem and the fix.
 */
export class SgeCommands {
  constructor(
    private readonly runner: CommandRunner,
    /** Program name -> what to run (sgePrograms). */
    private readonly path: (program: string) => string = (program) => program,
  ) {}

  /** `qsub -terse ARGS` with the job script on stdin; returns the job id (without an array's range). */
  async qsub(args: readonly string[], script: string): Promise<string> {
    const result = await this.runner.run(this.path('qsub'), ['-terse', ...args], script);
    const id = /^(\d+)(?:\.\d+-\d+:\d+)?$/.exec(result.stdout.trim())?.[1];
    if (result.code === 0 && id !== undefined) return id;
    throw qsubError(result, args);
  }

  /**
   * All of this user's jobs, every array task on its own entry, and the state of every queue instance
   * (a running job on a host in state `u` was lost with it): one `qstat -xml -g d -f`, whatever the
   * number of ids polled. Undefined when the master cannot be reached.
   */
  async qstat(): Promise<QstatListing | undefined> {
    const result = await this.runner.run(this.path('qstat'), ['-xml', '-g', 'd', '-f']);
    if (result.code === 0) return parseQstatListing(result.stdout);
    if (UNREACHABLE.test(result.stderr)) return undefined;
    throw commandError('qstat', result);
  }

  /**
   * Ids (`JOBID`, `JOBID.TASK`) of this user's jobs under a user or operator hold (qhold, qsub -h, an
   * administrator's `qhold -h o`), which `qstat` letters (`hqw`) do not tell from a wait for a
   * `-hold_jid` dependency. Undefined when the master cannot be reached.
   */
  async heldIds(): Promise<Set<string> | undefined> {
    const result = await this.runner.run(this.path('qstat'), ['-xml', '-g', 'd', '-s', 'huho']);
    if (result.code !== 0) {
      if (UNREACHABLE.test(result.stderr)) return undefined;
      throw commandError('qstat', result);
    }
    return new Set(
      parseQstatXml(result.stdout).map((e) => (e.task === undefined ? e.job : `${e.job}.${e.task}`)),
    );
  }

  /** The global configuration (`qconf -sconf`), as qconf prints it. */
  async globalConfig(): Promise<string> {
    const result = await this.runner.run(this.path('qconf'), ['-sconf']);
    if (result.code === 0) return result.stdout;
    throw commandError('qconf', result);
  }

  /** How many jobs (an array counts once) this user, and all users, have in the system. */
  async jobCounts(user: string): Promise<{ user: number; all: number }> {
    const result = await this.runner.run(this.path('qstat'), ['-xml', '-u', '*']);
    if (result.code !== 0) throw commandError('qstat', result);
    const owners = new Map<string, string>();
    for (const [, job = '', owner = ''] of result.stdout.matchAll(
      /<JB_job_number>(\d+)<\/JB_job_number>[\s\S]*?<JB_owner>([^<]*)<\/JB_owner>/g,
    ))
      owners.set(job, owner);
    return { user: [...owners.values()].filter((o) => o === user).length, all: owners.size };
  }

  /**
   * `qdel -f`: the master forgets jobs whose host is gone (a plain qdel waits for that host's execd).
   * Needs ENABLE_FORCED_QDEL for a job's owner (scripts/cluster/sge-up.sh sets it), or a manager.
   */
  async forceDelete(ids: readonly string[]): Promise<void> {
    await this.each('qdel', ['-f'], ids);
  }

  /**
   * Accounting records of finished jobs, in one qacct call: `-j ID` for one job; for several, every job
   * that began after `since` (qacct takes one `-j`). Undefined when qacct could not read the file.
   */
  async qacct(jobs: readonly string[], since: number): Promise<QacctRecord[] | undefined> {
    const args = jobs.length === 1 ? ['-j', jobs[0]!] : ['-j', '*', '-b', qacctTime(since - 60_000)];
    const result = await this.runner.run(this.path('qacct'), args);
    if (result.code === 0) return parseQacct(result.stdout);
    // "job id N not found", or no accounting file yet: nothing has been recorded.
    if (/not found|no such file/i.test(result.stderr + result.stdout)) return [];
    return undefined;
  }

  /**
   * Deletes jobs or array tasks (`JOBID`, `JOBID.TASK`); ids SGE no longer knows are ignored. Newest
   * job first: deleting a task releases its `-hold_jid_ad` successor from the hold, and a successor
   * deleted later in the same request is then "not found" and left pending.
   */
  async qdel(ids: readonly string[]): Promise<void> {
    const key = (id: string): [number, number] => {
      const [job = '0', task = '0'] = id.split('.');
      return [Number(job), Number(task)];
    };
    const newestFirst = [...ids].sort((a, b) => {
      const [ja, ta] = key(a);
      const [jb, tb] = key(b);
      return jb - ja || tb - ta;
    });
    await this.each('qdel', [], newestFirst);
  }

  /** `qmod -sj` (suspend) or `-usj` (unsuspend) running jobs or array tasks. */
  async qmod(flag: '-sj' | '-usj', ids: readonly string[]): Promise<void> {
    await this.each('qmod', [flag], ids);
  }

  /** `qhold` or `qrls`: a user hold on queued jobs or array tasks. */
  async hold(program: 'qhold' | 'qrls', ids: readonly string[]): Promise<void> {
    await this.each(program, [], ids);
  }

  /**
   * One command for all ids (more only past MAX_ID_LIST_CHARS). A job that already ended makes SGE
   * complain and exit non-zero while acting on the others: only an unreachable master is an error.
   */
  private async each(program: string, flags: readonly string[], ids: readonly string[]): Promise<void> {
    for (const list of idLists(ids)) {
      const result = await this.runner.run(this.path(program), [...flags, ...list]);
      if (result.code !== 0 && UNREACHABLE.test(result.stderr)) throw commandError(program, result);
    }
  }
}

function idLists(ids: readonly string[]): string[][] {
  const lists: string[][] = [];
  let list: string[] = [];
  let chars = 0;
  for (const id of ids) {
    if (chars + id.length > MAX_ID_LIST_CHARS && list.length > 0) {
      lists.push(list);
      list = [];
      chars = 0;
    }
    list.push(id);
    chars += id.length + 1;
  }
  if (list.length > 0) lists.push(list);
  return lists;
}

/** qacct's time format, [[CC]YY]MMDDhhmm, in local time. */
function qacctTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}${two(d.getHours())}${two(d.getMinutes())}`;
}

function qsubError(result: CommandResult, args: readonly string[]): CohortError {
  const said = (result.stderr.trim() || result.stdout.trim()).replace(/\s*Exiting\.?$/i, '');
  const queue = /unknown queue "([^"]+)"/i.exec(said)?.[1];
  if (queue !== undefined) {
    return invalidInput(
      `SGE has no queue '${queue}' (qsub: ${said})`,
      'List the valid queues with `qconf -sql`',
      {
        queue,
      },
    );
  }
  if (UNREACHABLE.test(said)) {
    return new CohortError('TOOL_FAILED', `qsub could not reach the SGE master: ${said}`, {
      hint: 'Check that sge_qmaster runs (qstat -f), then retry',
      retryable: true,
      context: { args },
    });
  }
  return new CohortError('TOOL_FAILED', `qsub refused the job: ${said}`, {
    hint: 'Check the queue and resources against `qconf -sql`, `qconf -sq QUEUE` and `qconf -sc`',
    context: { args },
  });
}

function commandError(program: string, result: CommandResult): CohortError {
  const said = result.stderr.trim() || result.stdout.trim();
  return new CohortError('TOOL_FAILED', `${program} failed (exit ${result.code}): ${said}`, {
    hint: 'Check that the SGE master runs and this host may submit (qconf -ss)',
    retryable: UNREACHABLE.test(said),
  });
}
