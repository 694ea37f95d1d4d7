import { useCallback, useEffect, useState } from 'react';
import { api, describeError, projectPath } from '../api/api-client.js';
import type { Operation, OperationsResponse, ProjectInfo } from '../api/api-types.js';
import { useApp } from '../app/app-context.js';
import { OperationList } from './operation-list.js';

/** How often the page asks for its operations' progress while one runs. */
const POLL_MS = 400;

/**
 * The projects one may read; rescan and import DICOM (run role); a new project from a server folder
 * (server admins). Each runs in the server as an operation whose progress the page shows as it goes.
 */
export function ProjectsPage() {
  const { me } = useApp();
  const [projects, setProjects] = useState<readonly ProjectInfo[]>([]);
  const [operations, setOperations] = useState<readonly Operation[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [form, setForm] = useState({ name: '', root: '', layout: 'auto' });
  const [dicom, setDicom] = useState({ project: '', source: '', subject: '', study: '' });
  const refresh = useCallback(() => {
    api<ProjectInfo[]>('GET', '/api/projects').then(setProjects, (e: unknown) =>
      setMessage(describeError(e)),
    );
  }, []);
  const refreshOperations = useCallback(async (): Promise<readonly Operation[]> => {
    const answer = await api<OperationsResponse>('GET', '/api/operations');
    setOperations(answer.operations);
    return answer.operations;
  }, []);
  useEffect(refresh, [refresh]);
  useEffect(() => {
    refreshOperations().catch((e: unknown) => setMessage(describeError(e)));
  }, [refreshOperations]);

  const running = operations.some((o) => o.state === 'running');
  // Poll only while something runs; when the last one ends, the project list may have changed.
  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(() => {
      refreshOperations().then(
        (ops) => {
          if (!ops.some((o) => o.state === 'running')) refresh();
        },
        (e: unknown) => setMessage(describeError(e)),
      );
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [running, refresh, refreshOperations]);

  async function start(path: string, body?: unknown): Promise<void> {
    setMessage(null);
    try {
      await api<Operation>('POST', path, body === undefined ? {} : { body });
      // One that ended before this look is never seen running: the list may have changed already.
      if (!(await refreshOperations()).some((o) => o.state === 'running')) refresh();
    } catch (e) {
      setMessage(describeError(e));
    }
  }
  async function cancel(op: Operation): Promise<void> {
    try {
      await api<Operation>('DELETE', `/api/operations/${op.id}`);
      await refreshOperations();
    } catch (e) {
      setMessage(describeError(e));
    }
  }
  const busy = (name: string) => operations.some((o) => o.project === name && o.state === 'running');
  const importable = projects.filter((p) => p.role !== 'read' && p.layout === 'folders');
  const target = dicom.project === '' ? (importable[0]?.name ?? '') : dicom.project;

  return (
    <div className="admin-page">
      {message !== null && (
        <p className="message" role="status">
          {message}
        </p>
      )}
      <table className="simple-table" aria-label="Projects">
        <thead>
          <tr>
            <th>Project</th>
            <th>Layout</th>
            <th>Your role</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {projects.map((p) => (
            <tr key={p.id} data-project={p.name}>
              <td>{p.name}</td>
              <td>{p.layout}</td>
              <td>{p.role}</td>
              <td className="actions">
                {p.role !== 'read' && (
                  <button
                    type="button"
                    disabled={busy(p.name)}
                    onClick={() => void start(projectPath(p.name, 'operations/rescan'))}
                  >
                    Rescan
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <OperationList operations={operations} onCancel={(op) => void cancel(op)} />
      {importable.length > 0 && (
        <>
          <h2>Import DICOM</h2>
          <form
            className="admin-form"
            aria-label="Import DICOM"
            onSubmit={(e) => {
              e.preventDefault();
              void start(projectPath(target, 'operations/import-dicom'), {
                source: dicom.source,
                ...(dicom.subject === '' ? {} : { subject: dicom.subject }),
                ...(dicom.study === '' ? {} : { study: dicom.study }),
              });
            }}
          >
            <label>
              DICOM folder on the server
              <input
                value={dicom.source}
                size={40}
                onChange={(e) => setDicom({ ...dicom, source: e.target.value })}
              />
            </label>
            <label>
              Into project
              <select value={target} onChange={(e) => setDicom({ ...dicom, project: e.target.value })}>
                {importable.map((p) => (
                  <option key={p.id} value={p.name}>
                    {p.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Subject (default: PatientID)
              <input
                value={dicom.subject}
                onChange={(e) => setDicom({ ...dicom, subject: e.target.value })}
              />
            </label>
            <label>
              Study (default: date and time)
              <input value={dicom.study} onChange={(e) => setDicom({ ...dicom, study: e.target.value })} />
            </label>
            <button type="submit" disabled={dicom.source === '' || busy(target)}>
              Import
            </button>
          </form>
          <p>
            dcm2niix converts the series into &lt;subject&gt;/&lt;study&gt;/&lt;series&gt;/ of the project
            (never over existing files), then they are indexed.
          </p>
        </>
      )}
      {me.user.admin && (
        <>
          <h2>New project from a folder</h2>
          <form
            className="admin-form"
            aria-label="New project"
            onSubmit={(e) => {
              e.preventDefault();
              void start('/api/operations/create', form);
            }}
          >
            <label>
              Name
              <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
            </label>
            <label>
              Folder on the server
              <input
                value={form.root}
                size={40}
                onChange={(e) => setForm({ ...form, root: e.target.value })}
              />
            </label>
            <label>
              Layout
              <select value={form.layout} onChange={(e) => setForm({ ...form, layout: e.target.value })}>
                <option value="auto">auto</option>
                <option value="folders">folders</option>
                <option value="bids">bids</option>
              </select>
            </label>
            <button type="submit">Create and index</button>
          </form>
          <p>A new project appears in the project picker after reloading the page.</p>
        </>
      )}
    </div>
  );
}
