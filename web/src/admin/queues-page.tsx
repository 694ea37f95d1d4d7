import { useCallback, useEffect, useState } from 'react';
import { api, describeError, projectPath } from '../api/api-client.js';
import type { QueuesResponse } from '../api/api-types.js';
import { useApp } from '../app/app-context.js';

type Queue = QueuesResponse['queues'][number];
const ENGINES = ['local', 'slurm', 'sge'] as const;
const EMPTY = {
  name: '',
  engine: 'slurm',
  target: '',
  cpus: '',
  memoryMB: '',
  timeMinutes: '',
  gpus: '',
  args: '',
};
type Form = typeof EMPTY;

function formOf(q: Queue): Form {
  const n = (v: number | undefined): string => (v === undefined ? '' : String(v));
  return {
    name: q.name,
    engine: q.engine,
    target: q.target ?? '',
    cpus: n(q.defaults.cpus),
    memoryMB: n(q.defaults.memoryMB),
    timeMinutes: n(q.defaults.timeMinutes),
    gpus: n(q.defaults.gpus),
    args: q.schedulerArgs.join(' '),
  };
}

function bodyOf(f: Form, global: boolean): object {
  const defaults: Record<string, number> = {};
  for (const key of ['cpus', 'memoryMB', 'timeMinutes', 'gpus'] as const)
    if (f[key].trim() !== '') defaults[key] = Number(f[key]);
  return {
    engine: f.engine,
    ...(f.target.trim() === '' ? {} : { target: f.target.trim() }),
    defaults,
    schedulerArgs: f.args.split(/\s+/).filter((w) => w !== ''),
    global,
  };
}

/** The project's queues: list, add or edit, make default, remove (editing: project admins). */
export function QueuesPage() {
  const { project, me } = useApp();
  const [data, setData] = useState<QueuesResponse | null>(null);
  const [form, setForm] = useState<Form>(EMPTY);
  const [global, setGlobal] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const canEdit = project.role === 'admin';
  const refresh = useCallback(() => {
    api<QueuesResponse>('GET', projectPath(project.name, 'queues')).then(setData, (e: unknown) =>
      setMessage(describeError(e)),
    );
  }, [project.name]);
  useEffect(refresh, [refresh]);

  async function call(method: string, rest: string, body: object | undefined, done: string): Promise<void> {
    try {
      await api(method, projectPath(project.name, rest), body === undefined ? {} : { body });
      setMessage(done);
      refresh();
    } catch (e) {
      setMessage(describeError(e));
    }
  }
  const field = (key: keyof Form, label: string) => (
    <label>
      {label}
      <input value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.value })} />
    </label>
  );

  return (
    <div className="admin-page">
      {message !== null && (
        <p className="message" role="status">
          {message}
        </p>
      )}
      <table className="simple-table" aria-label="Queues">
        <thead>
          <tr>
            <th>Queue</th>
            <th>Default</th>
            <th>Engine</th>
            <th>Partition / queue</th>
            <th>Resources</th>
            <th>Scope</th>
            {canEdit && <th>Actions</th>}
          </tr>
        </thead>
        <tbody>
          {(data?.queues ?? []).map((q) => (
            <tr key={q.name} data-queue={q.name}>
              <td>{q.name}</td>
              <td>{q.name === data?.default ? 'default' : ''}</td>
              <td>{q.engine}</td>
              <td>{q.target ?? ''}</td>
              <td>
                {[
                  ...Object.entries(q.defaults).map(([k, v]) => `${k}=${String(v)}`),
                  ...q.schedulerArgs,
                ].join(' ')}
              </td>
              <td>{q.global ? 'all projects' : 'project'}</td>
              {canEdit && (
                <td className="actions">
                  {q.name !== data?.default && (
                    <button
                      type="button"
                      onClick={() =>
                        void call('PUT', 'default-queue', { name: q.name }, `Default queue: ${q.name}.`)
                      }
                    >
                      Make default
                    </button>
                  )}
                  {q.name !== 'local' && (
                    <>
                      <button
                        type="button"
                        onClick={() => {
                          setForm(formOf(q));
                          setGlobal(q.global);
                        }}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        onClick={() =>
                          void call(
                            'DELETE',
                            `queues/${encodeURIComponent(q.name)}${q.global ? '?global=1' : ''}`,
                            undefined,
                            `Queue ${q.name} removed.`,
                          )
                        }
                      >
                        Remove
                      </button>
                    </>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {canEdit && (
        <>
          <h2>Add or edit a queue</h2>
          <form
            className="admin-form"
            aria-label="Queue"
            onSubmit={(e) => {
              e.preventDefault();
              void call(
                'PUT',
                `queues/${encodeURIComponent(form.name)}`,
                bodyOf(form, global),
                `Queue ${form.name} saved.`,
              );
            }}
          >
            {field('name', 'Name')}
            <label>
              Engine
              <select value={form.engine} onChange={(e) => setForm({ ...form, engine: e.target.value })}>
                {ENGINES.map((e) => (
                  <option key={e}>{e}</option>
                ))}
              </select>
            </label>
            {field('target', 'Partition / queue')}
            {field('cpus', 'CPUs')}
            {field('memoryMB', 'Memory (MB)')}
            {field('timeMinutes', 'Time (min)')}
            {field('gpus', 'GPUs')}
            {field('args', 'Scheduler words')}
            {me.user.admin && (
              <label className="check">
                <input type="checkbox" checked={global} onChange={(e) => setGlobal(e.target.checked)} />
                all projects
              </label>
            )}
            <button type="submit">Save queue</button>
          </form>
        </>
      )}
    </div>
  );
}
