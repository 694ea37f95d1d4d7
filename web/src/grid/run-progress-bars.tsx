import { useCallback, useEffect, useRef, useState } from 'react';
import { api, projectPath } from '../api/api-client.js';
import type { RunProgressResponse, TaskState } from '../api/api-types.js';
import { useTaskEvents } from '../shared/use-task-events.js';

/** The bars are refetched at most this often while tasks change: one grouped query a second. */
const REFRESH_MS = 1000;
/** Segments of a bar, left to right, with the tone class each is drawn in. */
const SEGMENTS: ReadonlyArray<{ readonly states: readonly TaskState[]; readonly tone: string }> = [
  { states: ['done'], tone: 'done' },
  { states: ['error', 'killed', 'skipped'], tone: 'error' },
  { states: ['running'], tone: 'running' },
  { states: ['suspended'], tone: 'paused' },
  { states: ['pending', 'queued', 'held'], tone: 'waiting' },
];

type Counts = RunProgressResponse['runs'][number]['counts'];
const sum = (counts: Counts, states: readonly TaskState[]): number =>
  states.reduce((n, s) => n + (counts[s] ?? 0), 0);

/** One bar per active or recent run of the project: ended / total, split by state, live. */
export function RunProgressBars({ project }: { readonly project: string }) {
  const [runs, setRuns] = useState<RunProgressResponse['runs']>([]);
  // Only the newest answer counts: under load an older, slower one (2 of 3 ended) could land last and
  // stay, since no further event comes to correct it.
  const latest = useRef(0);
  const refresh = useCallback(() => {
    const seq = ++latest.current;
    api<RunProgressResponse>('GET', projectPath(project, 'runs/progress')).then(
      (answer) => seq === latest.current && setRuns(answer.runs),
      () => seq === latest.current && setRuns([]), // a convenience: the grid below says what went wrong
    );
  }, [project]);
  useEffect(refresh, [refresh]);
  useTaskEvents(project, refresh, REFRESH_MS);
  if (runs.length === 0) return null;
  return (
    <div className="run-progress" aria-label="Run progress">
      {runs.map(({ runId, counts }) => {
        const total = sum(
          counts,
          SEGMENTS.flatMap((s) => s.states),
        );
        const ended = sum(counts, ['done', 'error', 'killed', 'skipped']);
        return (
          <div key={runId} className="run-progress-row" data-run-id={runId}>
            <span className="run-progress-label">Run {runId}</span>
            <span
              className="run-progress-bar"
              role="progressbar"
              aria-label={`Run ${runId}`}
              aria-valuemin={0}
              aria-valuemax={total}
              aria-valuenow={ended}
            >
              {SEGMENTS.map(({ states, tone }) => {
                const n = sum(counts, states);
                return n === 0 ? null : (
                  <span
                    key={tone}
                    className={`run-progress-part part-${tone}`}
                    style={{ width: `${(100 * n) / total}%` }}
                    title={`${n} ${states.join('/')}`}
                  />
                );
              })}
            </span>
            <span className="run-progress-text">
              {ended}/{total} ended
              {sum(counts, ['error', 'killed']) > 0 ? ` · ${sum(counts, ['error', 'killed'])} failed` : ''}
            </span>
          </div>
        );
      })}
    </div>
  );
}
