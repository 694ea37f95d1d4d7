import { useCallback, useEffect, useState } from 'react';
import { api, describeError, projectPath } from '../api/api-client.js';
import type { AutoLogEntry, AutoRule, AutoTrigger } from '../api/api-types.js';
import { useApp } from '../app/app-context.js';

interface AutoResponse {
  readonly rules: readonly AutoRule[];
  readonly log: readonly AutoLogEntry[];
}

const EMPTY = { name: '', batch: '', trigger: 'new', filter: '', queue: '', chunk: '', order: '' };
type Form = typeof EMPTY;

function triggerText(t: AutoTrigger): string {
  return t.kind === 'new' ? 'new studies' : t.kind === 'tag' ? `tag ${t.tag}` : `quiet ${t.minutes} min`;
}

/**
 * The project's autoexec rules (`cohort auto`): list, add, remove, fire now, and the log of what each
 * started. Editing needs run rights, as running a batch does.
 */
export function AutoPage() {
  const { project } = useApp();
  const [data, setData] = useState<AutoResponse | null>(null);
  const [form, setForm] = useState<Form>(EMPTY);
  const [skipOutputs, setSkipOutputs] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const canEdit = project.role !== 'read';
  const refresh = useCallback(() => {
    api<AutoResponse>('GET', projectPath(project.name, 'auto')).then(setData, (e: unknown) =>
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
  const field = (key: keyof Form, label: string, placeholder = '') => (
    <label>
      {label}
      <input
        value={form[key]}
        placeholder={placeholder}
        onChange={(e) => setForm({ ...form, [key]: e.target.value })}
      />
    </label>
  );
  const body = () => ({
    name: form.name.trim(),
    batch: form.batch.trim(),
    trigger: form.trigger.trim() || 'new',
    filter: form.filter,
    ...(form.queue.trim() === '' ? {} : { queue: form.queue.trim() }),
    ...(form.chunk.trim() === '' ? {} : { chunk: Number(form.chunk) }),
    ...(form.order.trim() === '' ? {} : { order: Number(form.order) }),
    skipExistingOutputs: skipOutputs,
  });

  return (
    <div className="admin-page">
      {message !== null && (
        <p className="message" role="status">
          {message}
        </p>
      )}
      <table className="simple-table" aria-label="Autoexec rules">
        <thead>
          <tr>
            <th>Order</th>
            <th>Rule</th>
            <th>Trigger</th>
            <th>Filter</th>
            <th>Batch</th>
            <th>Queue</th>
            <th>Chunk</th>
            {canEdit && <th>Actions</th>}
          </tr>
        </thead>
        <tbody>
          {(data?.rules ?? []).map((r) => (
            <tr key={r.name} data-rule={r.name}>
              <td>{r.position}</td>
              <td>{r.name}</td>
              <td>{triggerText(r.trigger)}</td>
              <td>{r.filter}</td>
              <td>{r.batch}</td>
              <td>{r.queue ?? ''}</td>
              <td>{r.chunk === 0 ? 'all' : r.chunk}</td>
              {canEdit && (
                <td className="actions">
                  <button
                    type="button"
                    onClick={() =>
                      void call(
                        'DELETE',
                        `auto/${encodeURIComponent(r.name)}`,
                        undefined,
                        `Rule ${r.name} removed.`,
                      )
                    }
                  >
                    Remove
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {canEdit && (
        <>
          <button type="button" onClick={() => void call('POST', 'auto/fire', {}, 'Rules fired.')}>
            Fire rules now
          </button>
          <h2>Add a rule</h2>
          <form
            className="admin-form"
            aria-label="Rule"
            onSubmit={(e) => {
              e.preventDefault();
              void call('POST', 'auto', body(), `Rule ${form.name} added.`).then(() => setForm(EMPTY));
            }}
          >
            {field('name', 'Name')}
            {field('batch', 'Saved batch', 'FOLDER/NAME')}
            {field('trigger', 'Trigger', 'new, tag:TAG or quiet:MINUTES')}
            {field('filter', 'Filter', 'STAG:baseline')}
            {field('queue', 'Queue')}
            {field('chunk', 'Studies per run')}
            {field('order', 'Order')}
            <label className="check">
              <input
                type="checkbox"
                checked={skipOutputs}
                onChange={(e) => setSkipOutputs(e.target.checked)}
              />
              skip studies whose outputs exist
            </label>
            <button type="submit">Add rule</button>
          </form>
        </>
      )}
      <h2>Log</h2>
      <table className="simple-table" aria-label="Autoexec log">
        <thead>
          <tr>
            <th>When</th>
            <th>Rule</th>
            <th>Source</th>
            <th>Run</th>
            <th>Studies</th>
            <th>Skipped</th>
            <th>Message</th>
          </tr>
        </thead>
        <tbody>
          {(data?.log ?? []).map((l) => (
            <tr key={l.id}>
              <td>{new Date(l.at).toLocaleString()}</td>
              <td>{l.rule}</td>
              <td>{l.source}</td>
              <td>{l.runId ?? ''}</td>
              <td>{l.items}</td>
              <td>{l.skipped}</td>
              <td>{l.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
