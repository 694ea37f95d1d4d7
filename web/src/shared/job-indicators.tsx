import type { JobIndicators as Counts } from '../api/api-types.js';

const LETTERS = [
  { key: 'q', title: 'queued' },
  { key: 'r', title: 'running' },
  { key: 's', title: 'suspended' },
  { key: 'e', title: 'erroneous' },
] as const;

/** Small dots with counts of a row's tasks (its latest run) per filter letter; nothing when idle. */
export function JobIndicators({ jobs }: { readonly jobs: Counts }) {
  return (
    <span className="jobs">
      {LETTERS.filter((l) => jobs[l.key] > 0).map((l) => (
        <span
          key={l.key}
          className={`job-dot job-${l.key}`}
          title={`${jobs[l.key]} ${l.title} (JOB:${l.key})`}
        >
          {jobs[l.key]}
        </span>
      ))}
    </span>
  );
}
