import { ON_ERROR, type JobDefinition, type OnError, type Resources } from '../api/api-types.js';

const ON_ERROR_TITLES: Record<OnError, string> = {
  break: 'break the item (default)',
  continue: 'report and continue',
  ignore: 'ignore',
};

const RESOURCE_FIELDS = [
  { key: 'cpus', title: 'CPUs' },
  { key: 'memoryMB', title: 'Memory (MB)' },
  { key: 'timeMinutes', title: 'Time (min)' },
  { key: 'gpus', title: 'GPUs' },
] as const;

/** A job's options: error policy, tag on success, scheduler resources and queue, logs, environment line. */
export function JobOptions({
  job,
  onChange,
}: {
  readonly job: JobDefinition;
  readonly onChange: (job: JobDefinition) => void;
}) {
  const options = job.options ?? {};
  const resources = options.resources ?? {};
  const setOptions = (next: Partial<NonNullable<JobDefinition['options']>>): void =>
    onChange({ ...job, options: { ...options, ...next } });
  const setResources = (next: Partial<Resources>): void =>
    setOptions({ resources: { ...resources, ...next } });
  return (
    <details className="job-options">
      <summary>Options</summary>
      <div className="options-grid">
        <label>
          On error
          <select
            value={options.onError ?? 'break'}
            onChange={(e) => setOptions({ onError: e.target.value as OnError })}
          >
            {ON_ERROR.map((o) => (
              <option key={o} value={o}>
                {ON_ERROR_TITLES[o]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Study tag on success
          <input
            value={options.tagOnSuccess ?? ''}
            onChange={(e) => setOptions({ tagOnSuccess: e.target.value })}
          />
        </label>
        <label>
          Queue
          <input
            value={resources.queue ?? ''}
            placeholder="project default"
            onChange={(e) => setResources({ queue: e.target.value === '' ? undefined : e.target.value })}
          />
        </label>
        {RESOURCE_FIELDS.map((f) => (
          <label key={f.key}>
            {f.title}
            <input
              type="number"
              min={f.key === 'gpus' ? 0 : 1}
              className="narrow"
              value={resources[f.key] ?? ''}
              onChange={(e) =>
                setResources({
                  [f.key]: e.target.value === '' ? undefined : Math.trunc(e.target.valueAsNumber),
                })
              }
            />
          </label>
        ))}
        <label className="check">
          <input
            type="checkbox"
            checked={options.keepLogs ?? true}
            onChange={(e) => setOptions({ keepLogs: e.target.checked })}
          />
          Keep logs of successful tasks
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={job.level === 'group'}
            onChange={(e) => {
              const { level: _level, ...rest } = job;
              onChange(e.target.checked ? { ...rest, level: 'group' } : rest);
            }}
          />
          Group-level: once over all items (FILE arguments become lists; outputs in an analysis folder)
        </label>
        <label className="wide">
          Environment line
          <input
            value={job.environment ?? ''}
            placeholder="e.g. module load fsl"
            onChange={(e) => onChange({ ...job, environment: e.target.value })}
          />
        </label>
      </div>
    </details>
  );
}
