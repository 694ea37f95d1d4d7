import { RUN_MODES, type RunMode } from '../api/api-types.js';
import { useApp } from '../app/app-context.js';
import { QueueSelect } from './queue-select.js';

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
        <QueueSelect
          project={project.name}
          label="Run queue"
          value={value.queue}
          onChange={(queue) => onChange({ ...value, queue })}
        />
      </label>
    </span>
  );
}
