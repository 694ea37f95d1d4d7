import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, describeError, projectPath, query } from '../api/api-client.js';
import type {
  ClearResponse,
  GridResponse,
  GridTask,
  TaskAction,
  TaskActionResponse,
  TaskDetail,
} from '../api/api-types.js';
import { useApp } from '../app/app-context.js';
import { StateBadge, stateTone } from '../shared/state-badge.js';
import { useTaskEvents } from '../shared/use-task-events.js';
import { VirtualRows } from '../shared/virtual-rows.js';
import {
  applyTaskEvents,
  countTasks,
  GRID_RESYNC_MS,
  subjectOf,
  visibleTasks,
  type GridModel,
  type GridSort,
} from './grid-model.js';
import { isViewable, viewerHash } from '../viewer/viewer-url.js';
import { LogView } from './log-view.js';
import { RunProgressBars } from './run-progress-bars.js';
import { actionsFor } from './task-actions.js';

/** Pixels per grid row (.vrow height in shared/tables.css). */
export const GRID_ROW_HEIGHT = 30;
/** Live changes are applied at most this often: fresh enough to watch, cheap with thousands of tasks. */
const GRID_BATCH_MS = 250;
// Shrinkable columns (minmax(0, …)): the table must fit beside the JSON or log panel.
const COLUMNS = [
  '4em',
  'minmax(0, 1.4fr)',
  'minmax(0, 1.4fr)',
  '6em',
  'minmax(0, 1.1fr)',
  'minmax(0, 0.7fr)',
  'minmax(0, 0.9fr)',
  'minmax(0, 1.6fr)',
  'minmax(0, 0.7fr)',
  'minmax(0, 1.1fr)',
  '12.5em',
].join(' ');
const HEADERS: ReadonlyArray<{ readonly title: string; readonly sort?: GridSort }> = [
  { title: 'Id', sort: 'id' },
  { title: 'Function', sort: 'job' },
  { title: 'Subject / study', sort: 'item' },
  { title: 'State', sort: 'state' },
  { title: 'Started', sort: 'started' },
  { title: 'Executor' },
  { title: 'Job id' },
  { title: 'Error' },
  { title: 'Owner' },
  { title: 'Updated', sort: 'updated' },
  { title: 'Actions' },
];
const ACTION_TITLES: Record<TaskAction, string> = {
  kill: 'Kill',
  suspend: 'Suspend',
  resume: 'Resume',
  hold: 'Hold',
  release: 'Release',
  restart: 'Restart',
};

type Panel =
  | { readonly kind: 'json'; readonly detail: TaskDetail }
  | { readonly kind: 'log'; readonly taskId: number }
  | null;

function time(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toLocaleString('sv');
}

/**
 * The grid monitor ("Gridstats"): the project's tasks with counters, live over SSE, sortable and
 * searchable, red for errors and green while running, with per-row actions, the job's JSON, its log.
 */
export function GridPage() {
  const { project, focusSubject } = useApp();
  const [model, setModel] = useState<GridModel>({ tasks: new Map(), doneCount: 0 });
  const [showDone, setShowDone] = useState(false);
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<{ key: GridSort; descending: boolean }>({ key: 'id', descending: true });
  const [panel, setPanel] = useState<Panel>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [confirmKillAll, setConfirmKillAll] = useState(false);
  const canAct = project.role !== 'read';

  // Only the newest answer counts: a slow older one must not overwrite it.
  const latest = useRef(0);
  const inFlight = useRef(false);
  const refresh = useCallback(() => {
    const seq = ++latest.current;
    inFlight.current = true;
    api<GridResponse>('GET', projectPath(project.name, 'tasks' + query({ all: showDone ? 1 : undefined })))
      .then(
        (answer) => {
          if (seq === latest.current)
            setModel({ tasks: new Map(answer.tasks.map((t) => [t.id, t])), doneCount: answer.counts.done });
        },
        (e: unknown) => {
          if (seq === latest.current) setMessage(describeError(e));
        },
      )
      .finally(() => {
        if (seq === latest.current) inFlight.current = false;
      });
  }, [project.name, showDone]);
  useEffect(refresh, [refresh]);
  useEffect(() => {
    const timer = window.setInterval(() => {
      if (!document.hidden && !inFlight.current) refresh();
    }, GRID_RESYNC_MS);
    return () => clearInterval(timer);
  }, [refresh]);
  useTaskEvents(
    project.name,
    (events) => setModel((m) => applyTaskEvents(m, events, showDone)),
    GRID_BATCH_MS,
    refresh,
  );

  const counts = countTasks(model);
  const rows = useMemo(() => visibleTasks(model, search, sort.key, sort.descending), [model, search, sort]);

  async function act(action: TaskAction, ids: readonly number[]): Promise<void> {
    try {
      const answer = await api<TaskActionResponse>('POST', projectPath(project.name, 'tasks/actions'), {
        body: { action, ids },
      });
      const failed = answer.results.filter((r) => !r.ok);
      setMessage(
        failed.length === 0
          ? `${ACTION_TITLES[action]}: ${answer.results.map((r) => r.message).join('; ')}`
          : `${ACTION_TITLES[action]}: ${failed.map((r) => `task ${r.id}: ${r.message}`).join('; ')}`,
      );
      refresh();
    } catch (e) {
      setMessage(describeError(e));
    }
  }
  async function clearErrors(): Promise<void> {
    try {
      const answer = await api<ClearResponse>('POST', projectPath(project.name, 'tasks/clear'), { body: {} });
      setMessage(`Cleared ${answer.cleared} failed tasks.`);
      refresh();
    } catch (e) {
      setMessage(describeError(e));
    }
  }
  async function killAll(): Promise<void> {
    setConfirmKillAll(false);
    try {
      const answer = await api<TaskActionResponse>('POST', projectPath(project.name, 'tasks/kill-all'));
      setMessage(`Killed ${answer.results.filter((r) => r.ok).length} tasks of ${project.name}.`);
      refresh();
    } catch (e) {
      setMessage(describeError(e));
    }
  }
  async function showJson(task: GridTask): Promise<void> {
    try {
      setPanel({
        kind: 'json',
        detail: await api<TaskDetail>('GET', projectPath(project.name, `tasks/${task.id}`)),
      });
    } catch (e) {
      setMessage(describeError(e));
    }
  }

  function renderRow(index: number) {
    const t = rows[index];
    if (t === undefined) return null;
    return (
      <div
        className={`trow task tone-${stateTone(t.state)}`}
        style={{ gridTemplateColumns: COLUMNS }}
        data-task-id={t.id}
      >
        <span className="cell num">{t.id}</span>
        <span className="cell">
          <button
            type="button"
            className="link"
            title="Show the job as JSON"
            onClick={() => void showJson(t)}
          >
            {t.jobName}
          </button>
        </span>
        <span className="cell">
          <button
            type="button"
            className="link"
            title="Select in the subjects table"
            onClick={() => focusSubject(subjectOf(t))}
          >
            {t.item}
          </button>
        </span>
        <span className="cell">
          <StateBadge state={t.state} />
        </span>
        <span className="cell">{time(t.startedAt)}</span>
        <span className="cell">{t.executor}</span>
        <span className="cell">{t.executorId ?? ''}</span>
        <span className="cell error-text" title={t.error ?? ''}>
          {t.error ?? ''}
        </span>
        <span className="cell">{t.owner}</span>
        <span className="cell">{time(t.updatedAt)}</span>
        <span className="cell actions">
          <button type="button" onClick={() => setPanel({ kind: 'log', taskId: t.id })}>
            Log
          </button>
          {canAct &&
            actionsFor(t).map((a) => (
              <button key={a} type="button" onClick={() => void act(a, [t.id])}>
                {ACTION_TITLES[a]}
              </button>
            ))}
        </span>
      </div>
    );
  }

  return (
    <div className="grid-page">
      <div className="toolbar">
        <span className="counters" aria-label="Counters">
          <span className="counter tone-running">running {counts.running}</span>
          <span className="counter tone-waiting">queued {counts.queued}</span>
          <span className="counter tone-paused">suspended {counts.suspended}</span>
          <span className="counter tone-error">error {counts.error}</span>
          <span className="counter tone-done">done {counts.done}</span>
        </span>
        <input
          type="search"
          aria-label="Search tasks"
          placeholder="Search subject, function, error, host…"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <label className="check">
          <input type="checkbox" checked={showDone} onChange={(e) => setShowDone(e.target.checked)} />
          show finished
        </label>
        {canAct && (
          <>
            <button type="button" onClick={() => void clearErrors()}>
              Clear errors
            </button>
            {confirmKillAll ? (
              <>
                <button type="button" className="danger" onClick={() => void killAll()}>
                  Really kill all of {project.name}
                </button>
                <button type="button" onClick={() => setConfirmKillAll(false)}>
                  Keep
                </button>
              </>
            ) : (
              <button type="button" onClick={() => setConfirmKillAll(true)}>
                Kill all of project
              </button>
            )}
          </>
        )}
        <span className="count">{rows.length} shown</span>
      </div>
      <RunProgressBars project={project.name} />
      {message !== null && (
        <p className="message" role="status">
          {message}
        </p>
      )}
      <div className="grid-body">
        <div className="table" role="table" aria-label="Tasks">
          <div className="thead trow" role="row" style={{ gridTemplateColumns: COLUMNS }}>
            {HEADERS.map((h) => (
              <span key={h.title} className="cell" role="columnheader">
                {h.sort === undefined ? (
                  h.title
                ) : (
                  <button
                    type="button"
                    className="link"
                    onClick={() =>
                      setSort((s) => ({
                        key: h.sort ?? 'id',
                        descending: s.key === h.sort ? !s.descending : false,
                      }))
                    }
                  >
                    {h.title}
                    {sort.key === h.sort ? (sort.descending ? ' ▼' : ' ▲') : ''}
                  </button>
                )}
              </span>
            ))}
          </div>
          <VirtualRows
            count={rows.length}
            rowHeight={GRID_ROW_HEIGHT}
            renderRow={renderRow}
            label="task rows"
          />
        </div>
        {panel !== null && (
          <aside className="side-panel">
            <button type="button" className="close" aria-label="Close panel" onClick={() => setPanel(null)}>
              ×
            </button>
            {panel.kind === 'json' ? (
              <>
                <h2>
                  Task {panel.detail.id}: {panel.detail.jobName}
                </h2>
                {panel.detail.outputFiles.some(isViewable) && (
                  <p className="outputs" aria-label="Outputs">
                    Outputs:{' '}
                    {panel.detail.outputFiles.filter(isViewable).map((f) => (
                      <a key={f} className="view-link" href={viewerHash(project.name, [f])}>
                        {f.split('/').pop()}
                      </a>
                    ))}{' '}
                    {panel.detail.outputFiles.filter(isViewable).length > 1 && (
                      <a href={viewerHash(project.name, panel.detail.outputFiles.filter(isViewable))}>
                        all together
                      </a>
                    )}
                  </p>
                )}
                <pre className="json" aria-label="Task JSON">
                  {JSON.stringify(panel.detail, null, 2)}
                </pre>
              </>
            ) : (
              <LogView key={panel.taskId} project={project.name} taskId={panel.taskId} />
            )}
          </aside>
        )}
      </div>
    </div>
  );
}
