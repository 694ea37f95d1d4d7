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
import { debugInJupyter } from '../shared/debug-in-jupyter.js';
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
import { COLUMNS, COMPACT_COLUMNS, HEADERS } from './grid-columns.js';
import { LogView } from './log-view.js';
import { NotebookPanel } from './notebook-panel.js';
import { RunProgressBars } from './run-progress-bars.js';
import { actionsFor } from './task-actions.js';
import { TaskDetailView } from './task-detail-view.js';
import { useStoredFlag } from '../shared/use-stored-flag.js';

/** Pixels per grid row (.vrow height in shared/tables.css). */
export const GRID_ROW_HEIGHT = 30;
/** Live changes are applied at most this often: fresh enough to watch, cheap with thousands of tasks. */
const GRID_BATCH_MS = 250;
const SHOW_DONE_KEY = 'cohort.grid.showFinished';
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
  | { readonly kind: 'log'; readonly task: GridTask }
  | { readonly kind: 'notebook'; readonly task: GridTask }
  | null;

function time(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toLocaleString('sv');
}

/**
 * The grid monitor ("Gridstats"): the project's tasks with counters, live over SSE, sortable and
 * searchable, red for errors and green while running, with per-row actions, the job's JSON, its log.
 */
export function GridPage() {
  const { project, focusSubject, focusStudy } = useApp();
  const [model, setModel] = useState<GridModel>({ tasks: new Map(), doneCount: 0 });
  const [showDone, setShowDone] = useStoredFlag(SHOW_DONE_KEY, false);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
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
  const wide = panel === null;
  const columns = wide ? COLUMNS : COMPACT_COLUMNS;
  const headers = HEADERS.filter((h) => wide || h.wide !== true);
  // Selected tasks no longer in the grid (cleared, or finished while hidden) drop out of the selection.
  const chosen = [...selected].filter((id) => model.tasks.has(id));
  const allShownSelected = rows.length > 0 && rows.every((t) => selected.has(t.id));
  function toggle(id: number): void {
    setSelected((s) => {
      const next = new Set(s);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  }

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
  // A notebook server's own row shows its URL and the save-back; any other job's row starts one.
  async function jupyter(task: GridTask): Promise<void> {
    try {
      if (isNotebookServer(task)) {
        setPanel({ kind: 'notebook', task });
        return;
      }
      const id = await debugInJupyter(project.name, { task: task.id });
      setMessage(`Notebook server of task ${task.id} runs as task ${id}; kill it there when done.`);
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
        className={`trow task tone-${stateTone(t.state)}${selected.has(t.id) ? ' selected' : ''}`}
        style={{ gridTemplateColumns: columns }}
        data-task-id={t.id}
      >
        <span className="cell">
          <input
            type="checkbox"
            aria-label={`Select task ${t.id}`}
            checked={selected.has(t.id)}
            onChange={() => toggle(t.id)}
          />
        </span>
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
            title={
              t.item.includes('#') ? 'Select the study in the studies table' : 'Select in the subjects table'
            }
            onClick={() => (t.item.includes('#') ? focusStudy(t.item) : focusSubject(subjectOf(t)))}
          >
            {t.item}
          </button>
        </span>
        <span className="cell">
          <StateBadge state={t.state} />
        </span>
        {wide && <span className="cell">{time(t.startedAt)}</span>}
        {wide && <span className="cell">{t.executor}</span>}
        {wide && <span className="cell">{t.executorId ?? ''}</span>}
        <span className="cell error-text" title={t.error ?? ''}>
          {t.error ?? ''}
        </span>
        {wide && <span className="cell">{t.owner}</span>}
        {wide && <span className="cell">{time(t.updatedAt)}</span>}
        <span className="cell actions">
          <button type="button" onClick={() => setPanel({ kind: 'log', task: t })}>
            Log
          </button>
          {canAct &&
            (t.state !== 'running' || isNotebookServer(t)) &&
            !t.jobName.startsWith('Notebook: ') && (
              <button
                type="button"
                title={
                  isNotebookServer(t) ? 'Its URL, and saving it back into the batch' : 'Debug in Jupyter'
                }
                onClick={() => void jupyter(t)}
              >
                {isNotebookServer(t) ? 'Notebook' : 'Jupyter'}
              </button>
            )}
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
      {canAct && chosen.length > 0 && (
        <div className="toolbar selection-bar" aria-label="Selected tasks">
          <span>{chosen.length} selected</span>
          {(Object.keys(ACTION_TITLES) as TaskAction[]).map((a) => (
            <button key={a} type="button" onClick={() => void act(a, chosen)}>
              {ACTION_TITLES[a]} selected
            </button>
          ))}
          <button type="button" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        </div>
      )}
      {message !== null && (
        <p className="message" role="status">
          {message}
        </p>
      )}
      <div className="grid-body">
        <div className="table" role="table" aria-label="Tasks">
          <div className="thead trow" role="row" style={{ gridTemplateColumns: columns }}>
            <span className="cell" role="columnheader">
              <input
                type="checkbox"
                aria-label="Select all shown tasks"
                checked={allShownSelected}
                onChange={() => setSelected(allShownSelected ? new Set() : new Set(rows.map((t) => t.id)))}
              />
            </span>
            {headers.map((h) => (
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
              <TaskDetailView detail={panel.detail} project={project.name} />
            ) : panel.kind === 'notebook' ? (
              <NotebookPanel key={panel.task.id} project={project.name} task={panel.task} />
            ) : (
              <>
                <h2>
                  Log of task {panel.task.id}: {panel.task.jobName} · {panel.task.item}
                </h2>
                <LogView key={panel.task.id} project={project.name} taskId={panel.task.id} />
              </>
            )}
          </aside>
        )}
      </div>
    </div>
  );
}

// Notebook tasks are named after the job they debug (runs/notebook/create-notebook-run.ts).
function isNotebookServer(task: GridTask): boolean {
  return task.jobName.startsWith('Jupyter: ');
}
