/** Which table the selection was made in: subjects or studies (the batch's items). */
export type SelectionLevel = 'subject' | 'study';

/** A selected row: a subject (`P001`) or a study (`P001#20200101`). */
export interface SelectedItem {
  readonly key: string;
  readonly pid: string;
  readonly sid?: string;
}

/** Rows selected in the subjects or studies table; the composer previews and runs on them. */
export interface Selection {
  readonly level: SelectionLevel;
  readonly items: ReadonlyMap<string, SelectedItem>;
}

export const EMPTY_SELECTION: Selection = { level: 'subject', items: new Map() };

// Selector study terms are patterns (`*`, `_` wildcards, `\` escapes): ids are escaped to mean themselves.
function literal(id: string): string {
  return id.replace(/[\\*_]/g, (c) => `\\${c}`);
}

/** The selector terms of a selection (`P001`, `P002#20200101`), ready for the API's `selector`. */
export function selectorTerms(selection: Selection): string[] {
  return [...selection.items.values()].map((item) =>
    item.sid === undefined ? literal(item.pid) : `${literal(item.pid)}#${literal(item.sid)}`,
  );
}

/** The API's item cap for a selector: larger selections run on the table's filter instead. */
export const MAX_SELECTOR_TERMS = 1000;

/** What a preview or run covers: the selected rows, else the table's filter, else everything. */
export function itemsOf(
  selection: Selection,
  filter: string,
): { readonly selector?: string[]; readonly filter?: string } {
  if (selection.items.size > 0 && selection.items.size <= MAX_SELECTOR_TERMS)
    return { selector: selectorTerms(selection) };
  return filter.trim() === '' ? {} : { filter };
}

/** In words, for the composer's "runs on" line. */
export function describeItems(selection: Selection, filter: string): string {
  const n = selection.items.size;
  if (n > 0 && n <= MAX_SELECTOR_TERMS) {
    const noun = selection.level === 'subject' ? 'subject' : 'study';
    return `${n} selected ${n === 1 ? noun : noun === 'study' ? 'studies' : 'subjects'}`;
  }
  return filter.trim() === '' ? 'every study of the project' : `the table's filter '${filter}'`;
}
