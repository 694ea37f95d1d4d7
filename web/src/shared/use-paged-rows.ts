import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import { describeError, isAbort } from '../api/api-client.js';
import type { Page } from '../api/api-types.js';

/** Rows fetched per request: a few screens, so scrolling asks rarely and a first answer is small. */
export const PAGE_ROWS = 100;

export type LoadPage<T> = (offset: number, limit: number, signal: AbortSignal) => Promise<Page<T>>;

export interface PagedRows<T> {
  /** Matching rows in all; null until the first page came. */
  readonly total: number | null;
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
 * the pages and aborts requests of the old one, so a fast typist never sees an older answer win.
 */
export function usePagedRows<T>(key: string, load: LoadPage<T>): PagedRows<T> {
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

  const fetchPage = useCallback((page: number, forKey: string) => {
    if (loading.current.has(page)) return;
    const controller = new AbortController();
    loading.current.set(page, controller);
    loadRef.current(page * PAGE_ROWS, PAGE_ROWS, controller.signal).then(
      (answer) => {
        loading.current.delete(page);
        if (keyRef.current !== forKey) return;
        setState((s) => {
          // The first page of a new query replaces the old query's rows, which stayed on screen meanwhile.
          if (s.key !== forKey) {
            return page === 0
              ? { key: forKey, total: answer.total, pages: new Map([[0, answer.items]]), error: null }
              : s;
          }
          return { ...s, total: answer.total, pages: new Map(s.pages).set(page, answer.items), error: null };
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
  }, [pages, fetchPage, key]);
  return {
    total: state.total,
    row: (index) => state.pages.get(Math.floor(index / PAGE_ROWS))?.[index % PAGE_ROWS],
    ensure,
    reload,
    error: state.error,
  };
}
