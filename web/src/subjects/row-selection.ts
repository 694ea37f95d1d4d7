import type { SelectedItem, Selection, SelectionLevel } from '../app/selection.js';

/** How a click changes the selection: plain replaces, Ctrl/Cmd toggles one row, Shift extends a range. */
export type ClickKind = 'replace' | 'toggle' | 'range';

export function clickKind(event: { shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }): ClickKind {
  if (event.shiftKey) return 'range';
  return event.ctrlKey || event.metaKey ? 'toggle' : 'replace';
}

/**
 * The selection after clicking row `index`. A range runs from the anchor (the last plainly or
 * Ctrl-clicked row) to `index` over the rows `itemAt` knows; a selection of the other level starts afresh.
 */
export function clickSelection(
  current: Selection,
  level: SelectionLevel,
  kind: ClickKind,
  index: number,
  anchor: number | null,
  itemAt: (index: number) => SelectedItem | undefined,
): Selection {
  const item = itemAt(index);
  if (item === undefined) return current;
  const base = current.level === level ? current.items : new Map<string, SelectedItem>();
  if (kind === 'replace') return { level, items: new Map([[item.key, item]]) };
  if (kind === 'toggle' || anchor === null) {
    const items = new Map(base);
    if (items.has(item.key)) items.delete(item.key);
    else items.set(item.key, item);
    return { level, items };
  }
  const items = new Map(base);
  for (let i = Math.min(anchor, index); i <= Math.max(anchor, index); i++) {
    const row = itemAt(i);
    if (row !== undefined) items.set(row.key, row);
  }
  return { level, items };
}
