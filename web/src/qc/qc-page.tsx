import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { api, describeError, projectPath } from '../api/api-client.js';
import type { QcItem, QcItemsResponse, TagsResponse } from '../api/api-types.js';
import { useApp } from '../app/app-context.js';
import { QcCard, type ThumbnailSettings } from './qc-card.js';
import { CLEAR_KEY, DEFAULT_QC_KEYS, moveFocus, parseQcKeys, splitPatterns } from './qc-keys.js';

const KEYS_STORAGE = 'cohort.qc.keys';
const DEFAULT_PATTERNS = 't1*/*.nii* | T1*/*.nii* | *T1*/*.nii*';

/**
 * The QC mosaic: one server-drawn thumbnail per study of the filter, hundreds on one scrolling page.
 * Arrow keys (Home, End, PageUp, PageDown) move; the configured keys tag the focused study and move on;
 * `0` clears its QC tags; Enter or a click opens it. Verdicts are ordinary study tags, so the subjects
 * table's `STAG:qc_bad` (or `cohort studies STAG:qc_bad`) selects the failures for a rerun.
 */
export function QcPage() {
  const { project, filter: tableFilter } = useApp();
  const [form, setForm] = useState({
    filter: tableFilter,
    patterns: DEFAULT_PATTERNS,
    overlay: '',
    keys: localStorage.getItem(KEYS_STORAGE) ?? DEFAULT_QC_KEYS,
  });
  const [settings, setSettings] = useState<ThumbnailSettings>({
    axis: 'axial',
    slices: 1,
    orientation: 'neurological',
    size: 160,
  });
  const [items, setItems] = useState<readonly QcItem[] | null>(null);
  const [focus, setFocus] = useState(0);
  const [loads, setLoads] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const grid = useRef<HTMLDivElement>(null);
  const keyMap = parseKeysOrNull(form.keys);

  const show = useCallback(
    async (event?: FormEvent) => {
      event?.preventDefault();
      setError(null);
      const search = new URLSearchParams({ filter: form.filter });
      for (const p of splitPatterns(form.patterns)) search.append('pattern', p);
      for (const p of splitPatterns(form.overlay)) search.append('overlay', p);
      try {
        const answer = await api<QcItemsResponse>('GET', projectPath(project.name, `qc/items?${search}`));
        tagsNow.current.clear();
        setItems(answer.items);
        setFocus(0);
        setLoads((n) => n + 1);
      } catch (failure) {
        setError(describeError(failure));
      }
    },
    [form.filter, form.patterns, form.overlay, project.name],
  );

  // A new mosaic takes the keyboard at once: the first card is focused.
  useEffect(() => {
    if (loads > 0) grid.current?.querySelector<HTMLElement>('.qc-card')?.focus();
  }, [loads]);

  useEffect(() => {
    const card = grid.current?.querySelectorAll<HTMLElement>('.qc-card')[focus];
    if (
      card !== undefined &&
      document.activeElement !== card &&
      grid.current?.contains(document.activeElement)
    )
      card.focus();
  }, [focus]);

  // Tag changes go to the server one after the other, each computed from the tags the ones before left:
  // a quick "2 then 0" on a card must end untagged, not race two requests (the server may answer them in
  // either order) or compute the second from tags the first has not written yet.
  const tagChain = useRef<Promise<void>>(Promise.resolve());
  const tagsNow = useRef(new Map<number, readonly string[]>());

  function tag(item: QcItem, tag: string | null): Promise<void> {
    tagChain.current = tagChain.current.then(() => applyTag(item, tag));
    return tagChain.current;
  }

  async function applyTag(item: QcItem, tag: string | null): Promise<void> {
    if (keyMap === null) return;
    const qcTags = [...keyMap.values()];
    const current = tagsNow.current.get(item.studyId) ?? item.tags;
    const remove = qcTags.filter((t) => t !== tag && current.includes(t));
    const body = (action: 'add' | 'remove', tags: string[]) => ({
      action,
      level: 'study',
      ids: [item.studyId],
      tags,
    });
    try {
      if (remove.length > 0)
        await api<TagsResponse>('POST', projectPath(project.name, 'tags'), { body: body('remove', remove) });
      if (tag !== null)
        await api<TagsResponse>('POST', projectPath(project.name, 'tags'), { body: body('add', [tag]) });
      const tags = [
        ...current.filter((t) => !remove.includes(t) && t !== tag),
        ...(tag === null ? [] : [tag]),
      ];
      tagsNow.current.set(item.studyId, tags);
      setItems((all) => all?.map((i) => (i.studyId === item.studyId ? { ...i, tags } : i)) ?? null);
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  function onKey(event: KeyboardEvent<HTMLDivElement>): void {
    if (items === null || event.target instanceof HTMLInputElement) return;
    const columns = columnsOf(grid.current);
    const next = moveFocus(event.key, focus, items.length, columns);
    if (next !== null) {
      event.preventDefault();
      setFocus(next);
      return;
    }
    const item = items[focus];
    if (item === undefined || event.ctrlKey || event.metaKey || event.altKey) return;
    const chosen = keyMap?.get(event.key);
    if (chosen !== undefined || event.key === CLEAR_KEY) {
      event.preventDefault();
      void tag(item, chosen ?? null);
      if (chosen !== undefined) setFocus(Math.min(items.length - 1, focus + 1));
    }
  }

  const counts = items === null || keyMap === null ? null : countTags(items, [...keyMap.values()]);
  return (
    <div className="qc-page">
      <form className="toolbar qc-form" onSubmit={(e) => void show(e)}>
        <label>
          Filter
          <input
            value={form.filter}
            onChange={(e) => setForm({ ...form, filter: e.target.value })}
            placeholder="STAG:baseline"
          />
        </label>
        <label>
          Image patterns
          <input
            value={form.patterns}
            size={32}
            onChange={(e) => setForm({ ...form, patterns: e.target.value })}
            title="Tried in order, separated by |"
          />
        </label>
        <label>
          Overlay patterns
          <input
            value={form.overlay}
            onChange={(e) => setForm({ ...form, overlay: e.target.value })}
            placeholder="masks/brain*.nii*"
          />
        </label>
        <label>
          Plane
          <select
            value={settings.axis}
            onChange={(e) => setSettings({ ...settings, axis: e.target.value as ThumbnailSettings['axis'] })}
          >
            <option value="axial">axial</option>
            <option value="coronal">coronal</option>
            <option value="sagittal">sagittal</option>
          </select>
        </label>
        <label>
          Slices
          <select
            value={settings.slices}
            onChange={(e) => setSettings({ ...settings, slices: Number(e.target.value) })}
          >
            {[1, 3, 4, 9].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label title="Neurological: the patient's left on the left. Radiological: the patient's right on the left.">
          Left-right
          <select
            value={settings.orientation}
            onChange={(e) =>
              setSettings({ ...settings, orientation: e.target.value as ThumbnailSettings['orientation'] })
            }
          >
            <option value="neurological">neurological (L on left)</option>
            <option value="radiological">radiological (R on left)</option>
          </select>
        </label>
        <label>
          Keys
          <input
            value={form.keys}
            size={18}
            aria-invalid={keyMap === null}
            onChange={(e) => {
              setForm({ ...form, keys: e.target.value });
              if (parseKeysOrNull(e.target.value) !== null)
                localStorage.setItem(KEYS_STORAGE, e.target.value);
            }}
            title={`KEY=TAG pairs; ${CLEAR_KEY} clears`}
          />
        </label>
        <button type="submit" className="primary">
          Show
        </button>
      </form>
      {keyMap === null && <p role="alert">{keyError(form.keys)}</p>}
      {error !== null && <p role="alert">{error}</p>}
      {counts !== null && (
        <p className="qc-summary" aria-live="polite">
          {items?.length} studies · {counts} · arrows move,{' '}
          {[...(keyMap ?? new Map<string, string>())].map(([k, t]) => `${k} ${t}`).join(', ')}, {CLEAR_KEY}{' '}
          clears, Enter opens
        </p>
      )}
      {items !== null && (
        <div className="qc-grid" ref={grid} role="grid" aria-label="QC mosaic" onKeyDown={onKey}>
          {items.map((item, i) => (
            <QcCard
              key={item.studyId}
              project={project.name}
              item={item}
              settings={settings}
              overlayWanted={form.overlay.trim() !== ''}
              focused={i === focus}
              qcTags={keyMap === null ? [] : [...keyMap.values()]}
              onFocus={() => setFocus(i)}
            />
          ))}
        </div>
      )}
    </div>
  );
}

function parseKeysOrNull(text: string): ReturnType<typeof parseQcKeys> | null {
  try {
    return parseQcKeys(text);
  } catch {
    return null;
  }
}

function keyError(text: string): string {
  try {
    parseQcKeys(text);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

function countTags(items: readonly QcItem[], tags: readonly string[]): string {
  const untagged = items.filter((i) => !tags.some((t) => i.tags.includes(t))).length;
  return [
    ...tags.map((t) => `${items.filter((i) => i.tags.includes(t)).length} ${t}`),
    `${untagged} unchecked`,
  ].join(' · ');
}

/** Cards per row: those sharing the first card's top edge (the grid wraps with the window). */
function columnsOf(grid: HTMLElement | null): number {
  const cards = grid?.querySelectorAll<HTMLElement>('.qc-card');
  const top = cards?.[0]?.offsetTop;
  if (cards === undefined || top === undefined) return 1;
  let n = 0;
  while (n < cards.length && cards[n]?.offsetTop === top) n++;
  return Math.max(1, n);
}
