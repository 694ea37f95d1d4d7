/** One job, or one array task, as `qstat -xml -g d` lists it. */
export interface QstatEntry {
  readonly job: string;
  /** Array task number; undefined for a job that is not an array. */
  readonly task: number | undefined;
  /** SGE's state letters: `qw`, `hqw`, `r`, `t`, `s`, `S`, `dr`, `Eqw`, `Rr`... */
  readonly state: string;
  /** `queue@host` once running. */
  readonly queue: string | undefined;
  /** Epoch ms of the start (running jobs). */
  readonly startedAt: number | undefined;
}

/** What one `qstat -xml -g d -f` says: the jobs, and the state letters of each queue instance. */
export interface QstatListing {
  readonly entries: QstatEntry[];
  /** `queue@host` -> its state letters (`u` unknown, `d` disabled, `E` error, `a` alarm; '' when fine). */
  readonly queueStates: ReadonlyMap<string, string>;
}

const JOB_LIST = /<job_list\b[^>]*>([\s\S]*?)<\/job_list>/g;
const QUEUE_LIST = /<Queue-List>([\s\S]*?)<\/Queue-List>/g;

/**
 * Parses `qstat -xml -g d` (every array task on its own entry), with or without `-f`. The format is
 * flat and fixed, so a few regular expressions read it without an XML library.
 */
export function parseQstatXml(xml: string): QstatEntry[] {
  return parseQstatListing(xml).entries;
}

/**
 * Parses `qstat -xml -g d -f`: running jobs are listed inside their queue instance (which names the
 * queue), pending ones after all queue instances.
 */
export function parseQstatListing(xml: string): QstatListing {
  const queueStates = new Map<string, string>();
  const entries: QstatEntry[] = [];
  const pending = xml.replace(QUEUE_LIST, (_, body: string) => {
    const head = body.split('<job_list')[0] ?? '';
    const name = field(head, 'name');
    if (name !== undefined) queueStates.set(name, field(head, 'state') ?? '');
    for (const entry of jobEntries(body, name)) entries.push(entry);
    return '';
  });
  // Not push(...): a spread of 200,000 pending tasks overflows the call stack.
  for (const entry of jobEntries(pending, undefined)) entries.push(entry);
  return { entries, queueStates };
}

function jobEntries(xml: string, queueOfList: string | undefined): QstatEntry[] {
  const entries: QstatEntry[] = [];
  for (const [, body = ''] of xml.matchAll(JOB_LIST)) {
    const job = field(body, 'JB_job_number');
    const state = field(body, 'state');
    if (job === undefined || state === undefined) continue;
    const tasks = field(body, 'tasks');
    const queue = field(body, 'queue_name') ?? queueOfList;
    const started = field(body, 'JAT_start_time');
    entries.push({
      job,
      // A pending array job not split by -g d would say `1-4:1`; with -g d each task has its number.
      task: tasks === undefined || !/^\d+$/.test(tasks) ? undefined : Number(tasks),
      state,
      queue: queue === '' ? undefined : queue,
      startedAt: started === undefined ? undefined : Date.parse(started),
    });
  }
  return entries;
}

function field(body: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(body);
  return match?.[1]?.trim();
}
