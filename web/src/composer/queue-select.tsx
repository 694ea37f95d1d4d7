import { useEffect, useState } from 'react';
import { api, projectPath } from '../api/api-client.js';
import type { QueuesResponse } from '../api/api-types.js';

/**
 * A choice among the project's defined queues, '' meaning "the project's default". A value that is no
 * longer defined (an imported or old batch) stays listed, so it is seen rather than silently dropped.
 */
export function QueueSelect({
  project,
  value,
  onChange,
  label,
}: {
  readonly project: string;
  readonly value: string;
  readonly onChange: (queue: string) => void;
  readonly label: string;
}) {
  const [queues, setQueues] = useState<QueuesResponse | null>(null);
  useEffect(() => {
    // Without the list (an error) the choice stays "project default"; the run reports a bad queue.
    api<QueuesResponse>('GET', projectPath(project, 'queues')).then(setQueues, () => setQueues(null));
  }, [project]);
  const known = queues?.queues ?? [];
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">project default{queues === null ? '' : ` (${queues.default})`}</option>
      {known.map((q) => (
        <option key={q.name} value={q.name}>
          {q.name} ({q.engine}
          {q.target === undefined ? '' : ` ${q.target}`})
        </option>
      ))}
      {value !== '' && !known.some((q) => q.name === value) && (
        <option value={value}>{value} (not defined)</option>
      )}
    </select>
  );
}
