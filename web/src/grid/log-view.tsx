import { useEffect, useRef, useState } from 'react';
import { api, describeError, projectPath, query } from '../api/api-client.js';
import type { TaskLog } from '../api/api-types.js';

/** The browser holds at most this much of a log; older output is dropped from the view (not the file). */
const MAX_LOG_CHARS = 2_000_000;

function capped(text: string): string {
  return text.length > MAX_LOG_CHARS ? text.slice(text.length - MAX_LOG_CHARS) : text;
}

/**
 * A task's stdout or stderr. With "follow" it streams (the API's SSE log stream) until the task ends;
 * otherwise it shows the last part once. Log text is shown as text, whatever it contains.
 */
export function LogView({ project, taskId }: { readonly project: string; readonly taskId: number }) {
  const [stream, setStream] = useState<'stdout' | 'stderr'>('stdout');
  const [follow, setFollow] = useState(true);
  const [text, setText] = useState('');
  const [status, setStatus] = useState('');
  const box = useRef<HTMLPreElement>(null);

  useEffect(() => {
    setText('');
    const path = projectPath(project, `tasks/${taskId}/log`);
    if (!follow) {
      setStatus('loading');
      const controller = new AbortController();
      api<TaskLog>('GET', path + query({ stream }), { signal: controller.signal }).then(
        (log) => {
          setText(capped(log.data));
          setStatus(log.state);
        },
        (e: unknown) => setStatus(describeError(e)),
      );
      return () => controller.abort();
    }
    setStatus('following');
    const source = new EventSource(path + query({ stream, follow: 1 }));
    source.addEventListener('log', (m) => {
      const { data } = JSON.parse((m as MessageEvent<string>).data) as { data: string };
      setText((t) => capped(t + data));
    });
    source.addEventListener('end', (m) => {
      const { state } = JSON.parse((m as MessageEvent<string>).data) as { state: string };
      setStatus(`ended: ${state}`);
      source.close();
    });
    source.onerror = () => setStatus('connection lost, retrying');
    return () => source.close();
  }, [project, taskId, stream, follow]);

  // Following means staying at the bottom as output arrives.
  useEffect(() => {
    if (follow && box.current !== null) box.current.scrollTop = box.current.scrollHeight;
  }, [text, follow]);

  return (
    <div className="log-view" aria-label={`Log of task ${taskId}`}>
      <div className="log-bar">
        <select
          aria-label="Stream"
          value={stream}
          onChange={(e) => setStream(e.target.value as 'stdout' | 'stderr')}
        >
          <option value="stdout">stdout</option>
          <option value="stderr">stderr</option>
        </select>
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          follow
        </label>
        <span className="hint" role="status">
          {status}
        </span>
      </div>
      <pre ref={box} className="log-text">
        {text}
      </pre>
    </div>
  );
}
