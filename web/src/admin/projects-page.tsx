import { useCallback, useEffect, useState } from 'react';
import { api, describeError, projectPath } from '../api/api-client.js';
import type { IndexResponse, ProjectInfo } from '../api/api-types.js';
import { useApp } from '../app/app-context.js';

function summary(r: IndexResponse): string {
  const c = r.counts;
  return (
    `Indexed '${r.project}' in ${(r.durationMs / 1000).toFixed(2)} s: ${c.subjectsAdded} subjects and ` +
    `${c.studiesAdded} studies added; files: ${c.filesAdded} added, ${c.filesChanged} changed, ` +
    `${c.filesRemoved} marked missing, ${c.filesUnchanged} unchanged.` +
    (r.warnings.length > 0 ? ` ${r.warnings.length} problem(s) while scanning.` : '')
  );
}

/** The projects one may read; rescan (run role); a new project from a server folder (server admins). */
export function ProjectsPage() {
  const { me } = useApp();
  const [projects, setProjects] = useState<readonly ProjectInfo[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [form, setForm] = useState({ name: '', root: '', layout: 'auto' });
  const refresh = useCallback(() => {
    api<ProjectInfo[]>('GET', '/api/projects').then(setProjects, (e: unknown) =>
      setMessage(describeError(e)),
    );
  }, []);
  useEffect(refresh, [refresh]);

  async function index(what: string, request: () => Promise<IndexResponse>): Promise<void> {
    setBusy(what);
    setMessage(null);
    try {
      setMessage(summary(await request()));
      refresh();
    } catch (e) {
      setMessage(describeError(e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="admin-page">
      {busy !== null && (
        <p className="message" role="status">
          {busy}… (indexing; large trees take a while)
        </p>
      )}
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
                    disabled={busy !== null}
                    onClick={() =>
                      void index(`Rescanning ${p.name}`, () =>
                        api<IndexResponse>('POST', projectPath(p.name, 'rescan')),
                      )
                    }
                  >
                    Rescan
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {me.user.admin && (
        <>
          <h2>New project from a folder</h2>
          <form
            className="admin-form"
            aria-label="New project"
            onSubmit={(e) => {
              e.preventDefault();
              void index(`Creating ${form.name}`, () =>
                api<IndexResponse>('POST', '/api/projects', { body: form }),
              );
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
            <button type="submit" disabled={busy !== null}>
              Create and index
            </button>
          </form>
          <p>A new project appears in the project picker after reloading the page.</p>
        </>
      )}
    </div>
  );
}
