import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { describeError, isAbort } from '../api/api-client.js';
import type { Page } from '../api/api-types.js';

/** Rows fetched per request: a few screens, so scrolling asks rarely and a first answer is small. */
export const PAGE_ROWS = 100;

/**
 * Typing pauses this long before the total is asked for: over a biobank counting a file pattern costs
 * ten pages, and the rows of each keystroke must not wait behind the count of the one before.
 */
export const COUNT_DELAY_MS = 250;

/**
 * Loads the rows [offset, offset + limit). `previous` is the row just before them when its page is
 * loaded and full: a table that pages by key (subjects: `after=`) starts there instead of making the
 * server walk `offset` rows (page 1,000 of a biobank walked 99,900 subjects).
 */
export type LoadPage<T> = (
  offset: number,
  limit: number,
  signal: AbortSignal,
  previous: T | undefined,
) => Promise<Page<T>>;
/** The query's total alone, for pages loaded without it (`total: null`). */
export type LoadTotal = (signal: AbortSignal) => Promise<number>;

export interface PagedRows<T> {
  /** Matching rows in all; null until known (the first page, or the count after it). */
  readonly total: number | null;
  /** Rows known to exist: the total, or until it comes the rows loaded so far. */
  readonly known: number;
  /** Row `index` if its page is loaded. */
  readonly row: (index: number) => T | undefined;
  /** Loads the pages covering [start, end) that are not loaded yet (the list's visible range). */
  readonly ensure: (start: number, end: number) => void;
  /** Loads the loaded pages again (after a tag change, a job state change). */
  readonly reload: () => void;
  readonly error: string | null;
}

/**
 * Server-side paging for a virtual list. `key` names the query (filter, level, project): a new key drops
 * the pages and aborts requests of the old one, so a fast typist never sees an older answer win. With
 * `loadTotal`, pages come without their total and the total is asked for once typing pauses
 * ({@link COUNT_DELAY_MS}); a short page tells it at once.
 */
export function usePagedRows<T>(key: string, load: LoadPage<T>, loadTotal?: LoadTotal): PagedRows<T> {
  const [state, setState] = useState<{
    readonly key: string;
    readonly total: number | null;
    readonly pages: ReadonlyMap<number, readonly T[]>;
    readonly error: string | null;
  }>({ key, total: null, pages: new Map(), error: null });
  const loading = useRef(new Map<number, AbortController>());
  const loadRef = useRef(load);
  loadRef.current = load;
  const keyRef = useRef(key);
  // The loaded pages, for a page's cursor (the previous page's last row) without a new fetchPage each render.
  const stateRef = useRef(state);
  stateRef.current = state;

  const fetchPage = useCallback((page: number, forKey: string) => {
    if (loading.current.has(page)) return;
    const controller = new AbortController();
    loading.current.set(page, controller);
    const loaded = stateRef.current;
    const before = loaded.key === forKey ? loaded.pages.get(page - 1) : undefined;
    // Only a full page's last row is the row before this page; a jump (scrollbar) pages by offset.
    const previous = before?.length === PAGE_ROWS ? before[PAGE_ROWS - 1] : undefined;
    loadRef.current(page * PAGE_ROWS, PAGE_ROWS, controller.signal, previous).then(
      (answer) => {
        loading.current.delete(page);
        if (keyRef.current !== forKey) return;
        setState((s) => {
          // The first page of a new query replaces the old query's rows, which stayed on screen meanwhile.
          // A short page ends the list: its rows tell the total when the answer has none.
          const end =
            answer.items.length < PAGE_ROWS && (page === 0 || answer.items.length > 0)
              ? page * PAGE_ROWS + answer.items.length
              : null;
          if (s.key !== forKey) {
            return page === 0
              ? { key: forKey, total: answer.total ?? end, pages: new Map([[0, answer.items]]), error: null }
              : s;
          }
          const total = answer.total ?? end ?? s.total;
          return { ...s, total, pages: new Map(s.pages).set(page, answer.items), error: null };
        });
      },
      (error: unknown) => {
        loading.current.delete(page);
        if (isAbort(error) || keyRef.current !== forKey) return;
        setState((s) => ({ ...s, error: describeError(error) }));
      },
    );
  }, []);

  // A layout effect: the request leaves before the keystroke's frame is painted, not after it.
  useLayoutEffect(() => {
    keyRef.current = key;
    for (const controller of loading.current.values()) controller.abort();
    loading.current.clear();
    // The old rows stay until the new first page replaces them: no flash of an empty table per keystroke.
    fetchPage(0, key);
  }, [key, fetchPage]);

  // The count of a key, kept apart from the pages: it may come before the key's first page.
  const [counted, setCounted] = useState<{ readonly key: string; readonly total: number } | null>(null);
  const loadTotalRef = useRef(loadTotal);
  loadTotalRef.current = loadTotal;
  const [countRound, setCountRound] = useState(0);
  useEffect(() => {
    if (loadTotalRef.current === undefined) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      loadTotalRef.current?.(controller.signal).then(
        (total) => {
          if (keyRef.current === key) setCounted({ key, total });
        },
        (error: unknown) => {
          if (isAbort(error) || keyRef.current !== key) return;
          setState((s) => ({ ...s, error: describeError(error) }));
        },
      );
    }, COUNT_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key, countRound]);

  const pages = state.pages;
  const stale = state.key !== key;
  const ensure = useCallback(
    (start: number, end: number) => {
      if (stale) return;
      for (let page = Math.floor(start / PAGE_ROWS); page * PAGE_ROWS < end; page++) {
        if (!pages.has(page)) fetchPage(page, key);
      }
    },
    [pages, stale, fetchPage, key],
  );
  const reload = useCallback(() => {
    for (const page of pages.keys()) fetchPage(page, key);
    setCountRound((n) => n + 1);
  }, [pages, fetchPage, key]);
  const total = counted?.key === state.key ? counted.total : state.total;
  let loaded = 0;
  for (const [page, items] of pages) loaded = Math.max(loaded, page * PAGE_ROWS + items.length);
  return {
    total,
    known: total ?? loaded,
    row: (index) => state.pages.get(Math.floor(index / PAGE_ROWS))?.[index % PAGE_ROWS],
    ensure,
    reload,
    error: state.error,
  };
}
