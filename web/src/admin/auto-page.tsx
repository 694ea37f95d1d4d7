import { useCallback, useState } from 'react';
import { api, projectPath } from '../api/api-client.js';
import type { AutoLogEntry, AutoRule, AutoTrigger } from '../api/api-types.js';
import { useApp } from '../app/app-context.js';
import { CheckField, StatusMessage, TextField, useAdminActions } from './admin-kit.js';

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
  const canEdit = project.role !== 'read';
  const load = useCallback(
    (fail: (e: unknown) => void) => {
      api<AutoResponse>('GET', projectPath(project.name, 'auto')).then(setData, fail);
    },
    [project.name],
  );
  const { message, send } = useAdminActions(load);
  const call = (method: string, rest: string, body: object | undefined, done: string) =>
    send(method, projectPath(project.name, rest), body, done);
  const field = (name: keyof Form, label: string, placeholder = '') => (
    <TextField form={form} setForm={setForm} name={name} label={label} placeholder={placeholder} />
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
      <StatusMessage message={message} />
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
              // The form keeps what was typed when the server refuses it.
              void call('POST', 'auto', body(), `Rule ${form.name} added.`).then((added) => {
                if (added !== null) setForm(EMPTY);
              });
            }}
          >
            {field('name', 'Name')}
            {field('batch', 'Saved batch', 'FOLDER/NAME')}
            {field('trigger', 'Trigger', 'new, tag:TAG or quiet:MINUTES')}
            {field('filter', 'Filter', 'STAG:baseline')}
            {field('queue', 'Queue')}
            {field('chunk', 'Studies per run')}
            {field('order', 'Order')}
            <CheckField checked={skipOutputs} onChange={setSkipOutputs}>
              skip studies whose outputs exist
            </CheckField>
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
