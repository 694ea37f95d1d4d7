/** One finished job (or array task) as `qacct -j` reports it. */
export interface QacctRecord {
  readonly job: string;
  /** Array task number; undefined for a job that is not an array. */
  readonly task: number | undefined;
  /** SGE's failure code (0: none; 37: killed at a limit; 100: killed, e.g. qdel) and its words. */
  readonly failed: number;
  readonly failedText: string;
  readonly exitStatus: number;
  readonly host: string | undefined;
  /** Run time in seconds. */
  readonly wallclock: number;
  readonly startedAt: number | undefined;
  readonly endedAt: number | undefined;
}

/** Parses the records of `qacct -j ...`: blocks of `name value` lines between lines of `=`. */
export function parseQacct(text: string): QacctRecord[] {
  const records: QacctRecord[] = [];
  for (const block of text.split(/^=+$/m)) {
    const values = new Map<string, string>();
    for (const line of block.split('\n')) {
      const match = /^(\w+)\s+(.*)$/.exec(line);
      if (match !== null) values.set(match[1]!, match[2]!.trim());
    }
    const job = values.get('jobnumber');
    if (job === undefined) continue;
    const task = values.get('taskid');
    const failed = /^(\d+)\s*:?\s*(.*)$/.exec(values.get('failed') ?? '0');
    records.push({
      job,
      task: task === undefined || !/^\d+$/.test(task) ? undefined : Number(task),
      failed: Number(failed?.[1] ?? 0),
      failedText: failed?.[2] ?? '',
      exitStatus: Number.parseInt(values.get('exit_status') ?? '0', 10),
      host: values.get('hostname'),
      wallclock: Number.parseFloat(values.get('ru_wallclock') ?? '0'),
      startedAt: date(values.get('start_time')),
      endedAt: date(values.get('end_time')),
    });
  }
  return records;
}

function date(text: string | undefined): number | undefined {
  const ms = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
