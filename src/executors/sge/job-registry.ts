import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What Cohort remembers of one SGE job (a single task or an array): enough to report it after a restart. */
export interface SgeJobRecord {
  /** Log folder of each task: element i is array task i + 1 (or the single task). */
  readonly logDirs: readonly string[];
  /** The task's time limit, to tell a time limit from a memory limit in qacct (failed 37). */
  readonly timeSeconds?: number;
  readonly memoryMB?: number;
  /** Epoch ms, for qacct's `-b` (only jobs that began later are listed). */
  readonly submittedAt: number;
}

/**
 * Job id -> record, in memory and one small JSON file per job under `dir`. SGE forgets a job's `-o`
 * paths when it ends and qacct never knew them, so a restarted runner finds a task's log folder (its
 * exit file and markers) here. Only the submitting side reads it: it need not be on a shared path.
 */
export class JobRegistry {
  private readonly known = new Map<string, SgeJobRecord | null>();

  constructor(private readonly dir: string) {}

  /** Records a job just submitted. */
  add(jobId: string, record: SgeJobRecord): void {
    this.known.set(jobId, record);
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, `${jobId}.json`), `${JSON.stringify(record)}\n`);
  }

  /** The job's record, from memory or its file; null for a job this installation never submitted. */
  get(jobId: string): SgeJobRecord | null {
    let record = this.known.get(jobId);
    if (record === undefined) {
      try {
        record = JSON.parse(readFileSync(join(this.dir, `${jobId}.json`), 'utf8')) as SgeJobRecord;
      } catch {
        record = null;
      }
      this.known.set(jobId, record);
    }
    return record;
  }

  /** Log folder of `JOBID` or `JOBID.TASK`, or undefined when unknown. */
  logDirOf(id: SgeId): string | undefined {
    return this.get(id.job)?.logDirs[(id.task ?? 1) - 1];
  }
}

/** An executor id split: `123` (task undefined) or `123.4`. */
export interface SgeId {
  readonly job: string;
  readonly task: number | undefined;
}

/** Parses `JOBID` or `JOBID.TASK`; undefined for anything else (ids this executor never gives). */
export function parseSgeId(id: string): SgeId | undefined {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(id);
  if (match === null) return undefined;
  return { job: match[1]!, task: match[2] === undefined ? undefined : Number(match[2]) };
}
