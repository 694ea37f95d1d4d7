import type { GridSort } from './grid-model.js';

// Shrinkable columns (minmax(0, …)). Beside the JSON or log panel (1280-1400 px screens) the table
// keeps only the columns one acts on: squeezed, all eleven were cut to unreadable stubs.
// Wide enough for a running notebook server's four buttons (Log, Notebook, Suspend, Kill): at 12.5em
// the last one was cut off beside the side panel.
const ACTIONS_WIDTH = '17em';

export const COLUMNS = [
  '2em',
  '4em',
  'minmax(0, 1.4fr)',
  'minmax(0, 1.4fr)',
  '6em',
  'minmax(0, 1.1fr)',
  'minmax(0, 0.7fr)',
  'minmax(0, 0.9fr)',
  'minmax(0, 1.6fr)',
  'minmax(0, 0.7fr)',
  'minmax(0, 1.1fr)',
  ACTIONS_WIDTH,
].join(' ');
export const COMPACT_COLUMNS = [
  '2em',
  '4em',
  'minmax(0, 1fr)',
  'minmax(0, 1fr)',
  '6em',
  'minmax(0, 1fr)',
  ACTIONS_WIDTH,
].join(' ');
/** Headers; `wide` ones are shown only without a side panel. */
export const HEADERS: ReadonlyArray<{
  readonly title: string;
  readonly sort?: GridSort;
  readonly wide?: boolean;
}> = [
  { title: 'Id', sort: 'id' },
  { title: 'Function', sort: 'job' },
  { title: 'Subject / study', sort: 'item' },
  { title: 'State', sort: 'state' },
  { title: 'Started', sort: 'started', wide: true },
  { title: 'Executor', wide: true },
  { title: 'Job id', wide: true },
  { title: 'Error' },
  { title: 'Owner', wide: true },
  { title: 'Updated', sort: 'updated', wide: true },
  { title: 'Actions' },
];
