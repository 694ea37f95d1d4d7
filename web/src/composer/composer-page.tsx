import { useCallback, useEffect, useState } from 'react';
import { api, describeError, projectPath } from '../api/api-client.js';
import type {
  BatchLevel,
  BatchListEntry,
  PreviewResponse,
  BatchResponse,
  JobDefinition,
  LibraryEntry,
  RunResponse,
} from '../api/api-types.js';
import { useApp } from '../app/app-context.js';
import { describeItems, itemsOf } from '../app/selection.js';
import { AddJobMenu } from './add-job-menu.js';
import { BatchFileButtons } from './batch-file-buttons.js';
import { BatchList } from './batch-list.js';
import { cleanBatch, newDraft, referenceNames, withLevel, type Draft } from './batch-draft.js';
import { JobEditor } from './job-editor.js';
import { PREVIEW_PAGE, PreviewTable } from './preview-table.js';
import { debugInJupyter } from '../shared/debug-in-jupyter.js';
import { QueueSelect } from './queue-select.js';
import { ReferencesEditor } from './references-editor.js';
import { RunOptions, type RunSettings } from './run-options.js';

interface SavedAs {
  readonly id: number;
  readonly folder: string;
  readonly favourite: boolean;
}

/**
 * The batch composer: a linear series of jobs, its level and named references, saved into the batch
 * list; the resolution preview over the table's selection; the run.
 */
export function ComposerPage() {
  const { project, selection, filter, navigate } = useApp();
  const [draft, setDraft] = useState<Draft>(newDraft);
  const [saved, setSaved] = useState<SavedAs | null>(null);
  const [folder, setFolder] = useState('');
  const [favourite, setFavourite] = useState(false);
  const [library, setLibrary] = useState<readonly LibraryEntry[]>([]);
  const [entries, setEntries] = useState<readonly BatchListEntry[]>([]);
  const [preview, setPreview] = useState<{ readonly of: string; readonly result: PreviewResponse } | null>(
    null,
  );
  const [settings, setSettings] = useState<RunSettings>({ mode: 'chained', units: 4, queue: '' });
  const [runResult, setRunResult] = useState<RunResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const canRun = project.role !== 'read';

  const refreshList = useCallback(() => {
    api<BatchListEntry[]>('GET', projectPath(project.name, 'batches')).then(setEntries, (e: unknown) =>
      setError(describeError(e)),
    );
  }, [project.name]);
  useEffect(() => {
    refreshList();
    api<LibraryEntry[]>('GET', '/api/library').then(setLibrary, (e: unknown) => setError(describeError(e)));
  }, [refreshList]);

  /** Runs an API call with the busy flag and the error line; the answer or undefined. */
  async function call<T>(work: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError(null);
    try {
      return await work();
    } catch (e) {
      setError(describeError(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }

  const batch = cleanBatch(draft);
  const batchText = JSON.stringify(batch);
  const items = itemsOf(selection, filter);
  const setJob = (i: number, job: JobDefinition): void =>
    setDraft((d) => ({ ...d, jobs: d.jobs.map((j, k) => (k === i ? job : j)) }));
  const moveJob = (i: number, by: -1 | 1): void =>
    setDraft((d) => {
      const jobs = [...d.jobs];
      const [job] = jobs.splice(i, 1);
      if (job !== undefined) jobs.splice(i + by, 0, job);
      return { ...d, jobs };
    });

  const runPreview = async (offset = 0): Promise<void> => {
    const body = { batch, ...items, offset, limit: PREVIEW_PAGE };
    const result = await call(() =>
      api<PreviewResponse>('POST', projectPath(project.name, 'preview'), { body }),
    );
    if (result !== undefined) setPreview({ of: batchText, result });
  };
  const run = async (): Promise<void> => {
    const result = await call(() =>
      api<RunResponse>('POST', projectPath(project.name, 'runs'), {
        body: {
          batch,
          ...items,
          mode: settings.mode,
          ...(settings.mode === 'n-units' ? { units: settings.units } : {}),
          ...(settings.queue.trim() === '' ? {} : { queue: settings.queue.trim() }),
        },
      }),
    );
    if (result !== undefined) setRunResult(result);
  };
  const save = async (): Promise<void> => {
    const entry = await call(() =>
      api<BatchListEntry>('POST', projectPath(project.name, 'batches'), {
        body: { batch, folder, favourite },
      }),
    );
    if (entry === undefined) return;
    setSaved({ id: entry.id, folder: entry.folder, favourite: entry.favourite });
    refreshList();
  };
  const load = async (entry: BatchListEntry): Promise<void> => {
    const answer = await call(() =>
      api<BatchResponse>('GET', projectPath(project.name, `batches/${entry.id}`)),
    );
    if (answer === undefined) return;
    setDraft(answer.batch);
    setSaved({ id: entry.id, folder: entry.folder, favourite: entry.favourite });
    setFolder(entry.folder);
    setFavourite(entry.favourite);
    setPreview(null);
    setRunResult(null);
  };

  return (
    <div className="composer-page">
      <BatchList
        entries={entries}
        currentId={saved?.id ?? null}
        onLoad={(e) => void load(e)}
        onDuplicate={(e, name) =>
          void call(() =>
            api('POST', projectPath(project.name, `batches/${e.id}/duplicate`), {
              body: { name, folder: e.folder },
            }),
          ).then(refreshList)
        }
        onDelete={(e) =>
          void call(() => api('DELETE', projectPath(project.name, `batches/${e.id}`))).then(() => {
            if (saved?.id === e.id) setSaved(null);
            refreshList();
          })
        }
        onFavourite={(e, fav) =>
          void call(() =>
            api('PATCH', projectPath(project.name, `batches/${e.id}`), { body: { favourite: fav } }),
          ).then(refreshList)
        }
      />
      <div className="composer-main">
        <fieldset className="batch-head">
          <label>
            Batch name
            <input value={draft.name} onChange={(e) => setDraft((d) => ({ ...d, name: e.target.value }))} />
          </label>
          <label>
            Runs once per
            <select
              aria-label="Level"
              value={draft.level}
              onChange={(e) => setDraft((d) => withLevel(d, e.target.value as BatchLevel))}
            >
              <option value="study">study</option>
              <option value="subject">subject</option>
            </select>
          </label>
          <label>
            Default queue
            <QueueSelect
              project={project.name}
              label="Default queue"
              value={draft.queue ?? ''}
              onChange={(queue) => setDraft((d) => ({ ...d, queue }))}
            />
          </label>
          <label className="wide">
            Description
            <input
              value={draft.description ?? ''}
              onChange={(e) => setDraft((d) => ({ ...d, description: e.target.value }))}
            />
          </label>
          <button type="button" onClick={() => (setDraft(newDraft()), setSaved(null), setPreview(null))}>
            New batch
          </button>
        </fieldset>
        <ReferencesEditor
          references={draft.references ?? {}}
          level={draft.level}
          onChange={(references) => setDraft((d) => ({ ...d, references }))}
        />
        {draft.jobs.map((job, i) => (
          <JobEditor
            // Index keys: jobs have no ids and may share a name; moving re-keys, which is harmless here.
            key={i}
            job={job}
            index={i}
            count={draft.jobs.length}
            level={draft.level}
            names={referenceNames(draft)}
            onChange={(j) => setJob(i, j)}
            onRemove={() => setDraft((d) => ({ ...d, jobs: d.jobs.filter((_, k) => k !== i) }))}
            onMove={(by) => moveJob(i, by)}
          />
        ))}
        <div className="composer-actions">
          <AddJobMenu
            library={library}
            onAdd={(job) => setDraft((d) => ({ ...d, jobs: [...d.jobs, job] }))}
          />
          <span className="save">
            <input
              aria-label="Folder"
              placeholder="folder (optional)"
              value={folder}
              onChange={(e) => setFolder(e.target.value)}
            />
            <label className="check">
              <input type="checkbox" checked={favourite} onChange={(e) => setFavourite(e.target.checked)} />
              favourite
            </label>
            <button type="button" disabled={busy || !canRun} onClick={() => void save()}>
              Save
            </button>
          </span>
          <BatchFileButtons
            batch={batch}
            onImport={(b) => {
              setDraft(b);
              setSaved(null);
              setPreview(null);
              setError(null);
            }}
            onError={setError}
          />
        </div>
        <div className="composer-actions run-bar">
          <span className="runs-on">Runs on {describeItems(selection, filter)}</span>
          <RunOptions value={settings} onChange={setSettings} />
          <button type="button" disabled={busy || draft.jobs.length === 0} onClick={() => void runPreview()}>
            Preview
          </button>
          <button
            type="button"
            className="primary"
            disabled={busy || draft.jobs.length === 0 || !canRun}
            onClick={() => void run()}
          >
            Run
          </button>
        </div>
        {error !== null && (
          <pre className="error" role="alert">
            {error}
          </pre>
        )}
        {runResult !== null && (
          <p className="run-result" role="status">
            {`Run ${runResult.runId} started: ${runResult.tasks} tasks.`}
            {runResult.skipped.length > 0 &&
              ` ${runResult.skipped.length} items skipped (missing inputs): ${runResult.skipped.map((s) => s.item).join(', ')}.`}{' '}
            <button type="button" className="link" onClick={() => navigate('grid')}>
              Watch in the grid
            </button>
          </p>
        )}
        {preview !== null && (
          <>
            {preview.of !== batchText && <p className="warn">The batch changed since this preview.</p>}
            <PreviewTable
              preview={preview.result}
              onPage={(offset) => void runPreview(offset)}
              onDebug={(item, job) =>
                void call(() => debugInJupyter(project.name, { batch, job, item })).then(
                  (id) => id !== undefined && navigate('grid'),
                )
              }
              onAdopt={(p) =>
                setDraft((d) => ({
                  ...d,
                  jobs: d.jobs.map((j, k) =>
                    k !== p.jobIndex
                      ? j
                      : {
                          ...j,
                          args: j.args.map((a) =>
                            a.name === p.argument && a.type === 'FILE' ? { ...a, patterns: [p.pattern] } : a,
                          ),
                        },
                  ),
                }))
              }
            />
          </>
        )}
      </div>
    </div>
  );
}
