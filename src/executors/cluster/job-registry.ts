import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What Cohort remembers of one cluster job (a single task or an array): enough to report it after a restart. */
export interface JobRecord {
  /** Task folder of each element of the job, in order (the single task's first). */
  readonly logDirs: readonly string[];
  /** The task's time limit, to tell a time limit from a memory limit in SGE's qacct (failed 37). */
  readonly timeSeconds?: number;
  readonly memoryMB?: number;
  /** Epoch ms, for SGE's qacct `-b` (only jobs that began later are listed). */
  readonly submittedAt: number;
}

/**
 * Job id -> record, in memory and one small JSON file per job under `dir`. A scheduler forgets a job's
 * paths when it ends (SGE at once, Slurm after MinJobAge) and its accounting never knew them, so a
 * restarted runner finds a task's folder (its exit record and markers) here. Only the submitting side
 * reads it: it need not be on a shared path.
 */
export class JobRegistry {
  private readonly known = new Map<string, JobRecord | null>();

  constructor(private readonly dir: string) {}

  /** Records a job just submitted. */
  add(jobId: string, record: JobRecord): void {
    this.known.set(jobId, record);
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, `${jobId}.json`), `${JSON.stringify(record)}\n`);
  }

  /** The job's record, from memory or its file; null for a job this installation never submitted. */
  get(jobId: string): JobRecord | null {
    let record = this.known.get(jobId);
    if (record === undefined) {
      try {
        record = JSON.parse(readFileSync(join(this.dir, `${jobId}.json`), 'utf8')) as JobRecord;
      } catch {
        record = null;
      }
      this.known.set(jobId, record);
    }
    return record;
  }

  /** Task folder of element `index` (from 0) of job `jobId`, or undefined when unknown. */
  logDirOf(jobId: string, index: number): string | undefined {
    return this.get(jobId)?.logDirs[index];
  }
}
