import { useCallback, useState } from 'react';
import { api, projectPath } from '../api/api-client.js';
import type { QueuesResponse } from '../api/api-types.js';
import { useApp } from '../app/app-context.js';
import { CheckField, SelectField, StatusMessage, TextField, useAdminActions } from './admin-kit.js';

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
  const canEdit = project.role === 'admin';
  const load = useCallback(
    (fail: (e: unknown) => void) => {
      api<QueuesResponse>('GET', projectPath(project.name, 'queues')).then(setData, fail);
    },
    [project.name],
  );
  const { message, send } = useAdminActions(load);
  const call = (method: string, rest: string, body: object | undefined, done: string) =>
    send(method, projectPath(project.name, rest), body, done);
  const field = (name: keyof Form, label: string) => (
    <TextField form={form} setForm={setForm} name={name} label={label} />
  );

  return (
    <div className="admin-page">
      <StatusMessage message={message} />
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
            <SelectField form={form} setForm={setForm} name="engine" label="Engine" options={ENGINES} />
            {field('target', 'Partition / queue')}
            {field('cpus', 'CPUs')}
            {field('memoryMB', 'Memory (MB)')}
            {field('timeMinutes', 'Time (min)')}
            {field('gpus', 'GPUs')}
            {field('args', 'Scheduler words')}
            {me.user.admin && (
              <CheckField checked={global} onChange={setGlobal}>
                all projects
              </CheckField>
            )}
            <button type="submit">Save queue</button>
          </form>
        </>
      )}
    </div>
  );
}
