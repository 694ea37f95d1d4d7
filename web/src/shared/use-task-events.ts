import { useEffect, useRef } from 'react';
import type { TaskEvent } from '../api/api-types.js';

/**
 * Live task changes of a project from the API's SSE stream (`/api/events?project=`), delivered in
 * batches at most once per animation frame: a burst of thousands of changes becomes one React update,
 * not thousands. The browser's EventSource reconnects by itself after a dropped connection.
 */
export function useTaskEvents(project: string, onEvents: (events: readonly TaskEvent[]) => void): void {
  const handler = useRef(onEvents);
  handler.current = onEvents;
  useEffect(() => {
    const source = new EventSource(`/api/events?project=${encodeURIComponent(project)}`);
    let buffer: TaskEvent[] = [];
    let frame: number | null = null;
    const flush = (): void => {
      frame = null;
      const events = buffer;
      buffer = [];
      if (events.length > 0) handler.current(events);
    };
    source.addEventListener('task', (message) => {
      buffer.push(JSON.parse((message as MessageEvent<string>).data) as TaskEvent);
      // rAF does not run in a hidden tab; a timer keeps the buffer from growing there.
      frame ??= document.hidden ? window.setTimeout(flush, 250) : requestAnimationFrame(flush);
    });
    return () => {
      source.close();
      if (frame !== null) {
        cancelAnimationFrame(frame);
        clearTimeout(frame);
      }
    };
  }, [project]);
}
