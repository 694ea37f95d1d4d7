import { useEffect, useRef } from 'react';
import type { TaskEvent } from '../api/api-types.js';

/**
 * Live task changes of a project from the API's SSE stream (`/api/events?project=`), delivered in
 * batches: a burst of thousands of changes becomes a few React updates, not thousands. With
 * `batchMs` the batches come at most that often (the grid: re-sorting 5,000 rows 60 times a second
 * would eat the frames); without, once per animation frame. EventSource reconnects by itself and sends
 * the last event's id, so the server replays what was missed; when it no longer can, it says
 * `resync` and `onResync` reloads from the server.
 */
export function useTaskEvents(
  project: string,
  onEvents: (events: readonly TaskEvent[]) => void,
  batchMs = 0,
  onResync?: () => void,
): void {
  const handler = useRef(onEvents);
  handler.current = onEvents;
  const resync = useRef(onResync);
  resync.current = onResync;
  useEffect(() => {
    const source = new EventSource(`/api/events?project=${encodeURIComponent(project)}`);
    let buffer: TaskEvent[] = [];
    let timer: number | null = null;
    let frame: number | null = null;
    const flush = (): void => {
      timer = frame = null;
      const events = buffer;
      buffer = [];
      if (events.length > 0) handler.current(events);
    };
    source.addEventListener('task', (message) => {
      buffer.push(JSON.parse((message as MessageEvent<string>).data) as TaskEvent);
      if (timer !== null || frame !== null) return;
      // rAF does not run in a hidden tab; a timer keeps the buffer from growing there.
      if (batchMs > 0 || document.hidden) timer = window.setTimeout(flush, Math.max(batchMs, 100));
      else frame = requestAnimationFrame(flush);
    });
    source.addEventListener('resync', () => resync.current?.());
    // The session ended: reconnecting would only answer 401 again and again.
    source.addEventListener('end', () => source.close());
    return () => {
      source.close();
      if (timer !== null) clearTimeout(timer);
      if (frame !== null) cancelAnimationFrame(frame);
    };
  }, [project, batchMs]);
}
