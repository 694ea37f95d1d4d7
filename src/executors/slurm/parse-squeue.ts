import { isSlurmJobState, type SlurmJob } from './slurm-states.js';

/**
 * squeue's `--Format`: every field a status needs, `|`-separated, in one call. `JobArrayID` prints
 * `JOBID_INDEX` for array elements (with `--array`, one line each) and `JOBID` otherwise.
 */
export const SQUEUE_FORMAT = [
  'JobArrayID',
  'State',
  'Reason',
  'exit_code',
  'BatchHost',
  'StartTime',
  'EndTime',
  'STDOUT',
]
  .map((field) => `${field}:|`)
  .join(',');

/** Parses `squeue --noheader --Format=SQUEUE_FORMAT`; lines it cannot read are skipped. */
export function parseSqueue(stdout: string): SlurmJob[] {
  const jobs: SlurmJob[] = [];
  for (const line of stdout.split('\n')) {
    const [id, state, reason, exit, host, start, end, stdoutPattern] = line.split('|');
    if (id === undefined || stdoutPattern === undefined || !/^\d+(_\d+)?$/.test(id.trim())) continue;
    const name = state?.trim() ?? '';
    const wait = Number(exit);
    jobs.push({
      id: id.trim(),
      state: isSlurmJobState(name) ? name : undefined,
      reason: reason?.trim() ?? '',
      waitStatus: Number.isInteger(wait) ? wait : undefined,
      ...optional('host', host === 'n/a' || host === '' ? undefined : host?.trim()),
      ...optional('startedAt', slurmTime(start)),
      ...optional('endedAt', slurmTime(end)),
      ...optional('stdoutPattern', stdoutPattern.trim() || undefined),
    });
  }
  return jobs;
}

/**
 * Parses `sacct --noheader --parsable2 --allocations --format=JobID,State,ExitCode,NodeList,Start,End`.
 * sacct has no pending reason (a job it reports has ended) and writes `CANCELLED by 1000`, `3:0`.
 */
export function parseSacct(stdout: string): SlurmJob[] {
  const jobs: SlurmJob[] = [];
  for (const line of stdout.split('\n')) {
    const [id, state, exit, nodes, start, end] = line.split('|');
    if (id === undefined || end === undefined || !/^\d+(_\d+)?$/.test(id)) continue;
    const name = state?.split(' ')[0] ?? '';
    const [code, signal] = (exit ?? '').split(':').map(Number);
    jobs.push({
      id,
      state: isSlurmJobState(name) ? name : undefined,
      reason: '',
      waitStatus: ((code ?? 0) << 8) | (signal ?? 0),
      ...optional('host', nodes === '' || nodes === 'None assigned' ? undefined : nodes),
      ...optional('startedAt', slurmTime(start)),
      ...optional('endedAt', slurmTime(end)),
    });
  }
  return jobs;
}

/**
 * A time as Slurm prints it (`2026-12-02T14:03:07`, the controller's local time, read here in ours: the
 * cluster and its clients share a time zone); `N/A`, `NONE`, `Unknown` are undefined.
 */
export function slurmTime(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(text.trim())) return undefined;
  const ms = new Date(text.trim()).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
