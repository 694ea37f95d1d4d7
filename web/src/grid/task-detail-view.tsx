import { useState } from 'react';
import type { TaskDetail } from '../api/api-types.js';
import { isViewable, viewerHash } from '../viewer/viewer-url.js';

/** The parts of a task's provenance the panel shows in sections (the rest is in the raw JSON). */
interface ProvenanceView {
  readonly arguments?: Readonly<Record<string, unknown>>;
  readonly argv?: readonly string[];
  readonly cwd?: string;
  readonly outputs?: ReadonlyArray<{ readonly path: string; readonly tags: readonly string[] }>;
  readonly placement?: { readonly queue?: string; readonly engine?: string };
}

function provenanceOf(detail: TaskDetail): ProvenanceView {
  return typeof detail.resolved === 'object' && detail.resolved !== null ? detail.resolved : {};
}

function time(ms: number | null): string {
  return ms === null ? '–' : new Date(ms).toLocaleString('sv');
}

function duration(detail: TaskDetail): string {
  if (detail.startedAt === null) return '–';
  const seconds = ((detail.endedAt ?? Date.now()) - detail.startedAt) / 1000;
  return seconds < 120 ? `${seconds.toFixed(1)} s` : `${(seconds / 60).toFixed(1)} min`;
}

function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join('\n');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * A task in readable sections (inputs, outputs, command, times), with its raw JSON one click away:
 * the provenance answers "what did this task see and run" without reading nested JSON.
 */
export function TaskDetailView({
  detail,
  project,
}: {
  readonly detail: TaskDetail;
  readonly project: string;
}) {
  const [raw, setRaw] = useState(false);
  const p = provenanceOf(detail);
  const outputs = new Set((p.outputs ?? []).map((o) => o.path));
  const inputs = Object.entries(p.arguments ?? {}).filter(([, v]) => !outputs.has(valueText(v)));
  const viewable = detail.outputFiles.filter(isViewable);
  return (
    <div className="task-detail">
      <h2>
        Task {detail.id}: {detail.jobName} · {detail.item}
      </h2>
      <button type="button" className="link" onClick={() => setRaw((r) => !r)}>
        {raw ? 'Show sections' : 'Show raw JSON'}
      </button>
      {raw ? (
        <pre className="json" aria-label="Task JSON">
          {JSON.stringify(detail, null, 2)}
        </pre>
      ) : (
        <>
          <section aria-label="Inputs">
            <h3>Inputs</h3>
            <dl>
              {inputs.map(([name, value]) => (
                <div key={name}>
                  <dt>{name}</dt>
                  <dd>{valueText(value)}</dd>
                </div>
              ))}
            </dl>
          </section>
          <section aria-label="Outputs">
            <h3>Outputs</h3>
            <ul>
              {(p.outputs ?? []).map((o) => (
                <li key={o.path}>
                  {o.path}
                  {o.tags.length > 0 && <span className="tags"> [{o.tags.join(', ')}]</span>}
                </li>
              ))}
            </ul>
            {viewable.length > 0 && (
              <p className="outputs">
                View:{' '}
                {viewable.map((f) => (
                  <a key={f} className="view-link" href={viewerHash(project, [f])}>
                    {f.split('/').pop()}
                  </a>
                ))}{' '}
                {viewable.length > 1 && <a href={viewerHash(project, viewable)}>all together</a>}
              </p>
            )}
          </section>
          <section aria-label="Command">
            <h3>Command</h3>
            <pre className="command">{(p.argv ?? []).join(' ')}</pre>
            <p>
              in {p.cwd ?? '–'} · queue {p.placement?.queue ?? 'local'} (
              {p.placement?.engine ?? detail.executor})
            </p>
          </section>
          <section aria-label="Times">
            <h3>Times</h3>
            <dl>
              <div>
                <dt>state</dt>
                <dd>
                  {detail.state}
                  {detail.exitCode === null ? '' : ` (exit ${detail.exitCode})`}
                  {detail.error === null ? '' : `: ${detail.error}`}
                </dd>
              </div>
              <div>
                <dt>queued</dt>
                <dd>{time(detail.queuedAt)}</dd>
              </div>
              <div>
                <dt>started</dt>
                <dd>
                  {time(detail.startedAt)} on {detail.host ?? '–'}
                </dd>
              </div>
              <div>
                <dt>ended</dt>
                <dd>
                  {time(detail.endedAt)} ({duration(detail)})
                </dd>
              </div>
            </dl>
          </section>
        </>
      )}
    </div>
  );
}
