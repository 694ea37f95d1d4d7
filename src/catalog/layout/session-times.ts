import { readFileSync } from 'node:fs';
import { studySortKey } from '../study-order.js';

/**
 * Reads `sub-<label>_sessions.tsv` of a BIDS subject folder: the `acq_time` of each session label
 * (`ses-` stripped). A missing or unreadable file, or one without those columns, gives an empty map.
 */
export function readSessionTimes(subjectAbs: string, subjectFolder: string): Map<string, string> {
  const times = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync(`${subjectAbs}/${subjectFolder}_sessions.tsv`, 'utf8');
  } catch {
    return times;
  }
  const [header, ...lines] = text.split(/\r?\n/);
  const columns = (header ?? '').split('\t').map((c) => c.trim());
  const id = columns.indexOf('session_id');
  const time = columns.indexOf('acq_time');
  if (id < 0 || time < 0) return times;
  for (const line of lines) {
    const cells = line.split('\t').map((c) => c.trim());
    const session = cells[id] ?? '';
    const at = cells[time] ?? '';
    // BIDS writes n/a for an unknown time: such a session sorts by its label.
    if (session === '' || at === '' || at === 'n/a') continue;
    times.set(session.startsWith('ses-') ? session.slice(4) : session, at);
  }
  return times;
}

/**
 * The order key of a BIDS session: sessions with an `acq_time` first, by time (ISO 8601 sorts as
 * text), then the others by natural order of their labels (`2` before `10`).
 */
export function sessionSortKey(label: string, times: ReadonlyMap<string, string>): string {
  const time = times.get(label);
  return time === undefined ? `1|${studySortKey(label)}` : `0|${time}|${studySortKey(label)}`;
}
