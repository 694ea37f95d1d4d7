import { useEffect, useState } from 'react';
import { api, projectPath } from '../api/api-client.js';
import { RUN_MODES, type QueuesResponse, type RunMode } from '../api/api-types.js';
import { useApp } from '../app/app-context.js';

const MODE_TITLES: Record<RunMode, string> = {
  chained: 'one task per job and item, chained (default)',
  unordered: 'one task per job and item, unordered',
  'per-item': 'one task per subject/study',
  single: 'everything in one task',
  'n-units': 'everything in N tasks',
};

export interface RunSettings {
  readonly mode: RunMode;
  readonly units: number;
  readonly queue: string;
}

/** How the run is split into scheduler jobs, and the queue for jobs that name none. */
export function RunOptions({
  value,
  onChange,
}: {
  readonly value: RunSettings;
  readonly onChange: (value: RunSettings) => void;
}) {
  const { project } = useApp();
  const [queues, setQueues] = useState<QueuesResponse | null>(null);
  useEffect(() => {
    // Without the list (an old server, an error) the choice stays "project default".
    api<QueuesResponse>('GET', projectPath(project.name, 'queues')).then(setQueues, () => setQueues(null));
  }, [project.name]);
  return (
    <span className="run-options">
      <label>
        Run as
        <select
          aria-label="Run mode"
          value={value.mode}
          onChange={(e) => onChange({ ...value, mode: e.target.value as RunMode })}
        >
          {RUN_MODES.map((m) => (
            <option key={m} value={m}>
              {MODE_TITLES[m]}
            </option>
          ))}
        </select>
      </label>
      {value.mode === 'n-units' && (
        <label>
          N
          <input
            type="number"
            min={1}
            className="narrow"
            value={value.units}
            onChange={(e) =>
              onChange({ ...value, units: Math.max(1, Math.trunc(e.target.valueAsNumber || 1)) })
            }
          />
        </label>
      )}
      <label>
        Queue
        <select
          aria-label="Run queue"
          value={value.queue}
          onChange={(e) => onChange({ ...value, queue: e.target.value })}
        >
          <option value="">project default{queues === null ? '' : ` (${queues.default})`}</option>
          {(queues?.queues ?? []).map((q) => (
            <option key={q.name} value={q.name}>
              {q.name} ({q.engine}
              {q.target === undefined ? '' : ` ${q.target}`})
            </option>
          ))}
        </select>
      </label>
    </span>
  );
}
