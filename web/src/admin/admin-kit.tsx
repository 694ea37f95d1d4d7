import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { api, describeError } from '../api/api-client.js';

/** What an admin page needs to change things: one message line and a call that refreshes after it. */
export interface AdminActions {
  readonly message: string | null;
  readonly setMessage: (message: string | null) => void;
  /** Sends one request; on success shows `done` and refreshes the page's data, else shows the error. */
  readonly send: <T>(
    method: string,
    path: string,
    body: object | undefined,
    done: string,
  ) => Promise<T | null>;
}

/**
 * The pattern every admin page repeats: load on mount (and when `refresh` changes), show one status
 * message, send a change and reload. `refresh` reports its own failures through `fail`.
 */
export function useAdminActions(refresh: (fail: (e: unknown) => void) => void): AdminActions {
  const [message, setMessage] = useState<string | null>(null);
  const reload = useCallback(() => refresh((e: unknown) => setMessage(describeError(e))), [refresh]);
  useEffect(reload, [reload]);
  async function send<T>(
    method: string,
    path: string,
    body: object | undefined,
    done: string,
  ): Promise<T | null> {
    try {
      const answer = await api<T>(method, path, body === undefined ? {} : { body });
      setMessage(done);
      reload();
      return answer;
    } catch (e) {
      setMessage(describeError(e));
      return null;
    }
  }
  return { message, setMessage, send };
}

/** The page's one status line (read out by screen readers; the tests wait on it). */
export function StatusMessage({ message }: { readonly message: string | null }) {
  if (message === null) return null;
  return (
    <p className="message" role="status">
      {message}
    </p>
  );
}

/** A labelled text input bound to one key of a form object. */
export function TextField<F extends Record<string, string>>(props: {
  readonly form: F;
  readonly setForm: (form: F) => void;
  readonly name: keyof F & string;
  readonly label: string;
  readonly placeholder?: string;
  readonly type?: 'text' | 'password';
}) {
  const { form, setForm, name, label, placeholder, type } = props;
  return (
    <label>
      {label}
      <input
        type={type ?? 'text'}
        value={form[name]}
        placeholder={placeholder}
        onChange={(e) => setForm({ ...form, [name]: e.target.value })}
      />
    </label>
  );
}

/** A labelled select bound to one key of a form object. */
export function SelectField<F extends Record<string, string>>(props: {
  readonly form: F;
  readonly setForm: (form: F) => void;
  readonly name: keyof F & string;
  readonly label: string;
  readonly options: readonly string[];
}) {
  const { form, setForm, name, label, options } = props;
  return (
    <label>
      {label}
      <select value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.value })}>
        {options.map((o) => (
          <option key={o}>{o}</option>
        ))}
      </select>
    </label>
  );
}

/** A checkbox with its label after it. */
export function CheckField(props: {
  readonly checked: boolean;
  readonly onChange: (checked: boolean) => void;
  readonly children: ReactNode;
}) {
  return (
    <label className="check">
      <input type="checkbox" checked={props.checked} onChange={(e) => props.onChange(e.target.checked)} />
      {props.children}
    </label>
  );
}
