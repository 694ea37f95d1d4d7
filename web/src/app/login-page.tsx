import { useState, type FormEvent } from 'react';
import { api, ApiFailure, describeError } from '../api/api-client.js';
import type { MeResponse } from '../api/api-types.js';

/** Name and password; a 429 shows the server's rate-limit message (wait before the next try). */
export function LoginPage({ onLoggedIn }: { readonly onLoggedIn: (me: MeResponse) => void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api<MeResponse>('POST', '/api/auth/login', {
        body: { name, password },
        quietUnauthenticated: true,
      });
      onLoggedIn(me);
    } catch (e) {
      setError(
        e instanceof ApiFailure && e.status === 429
          ? `Too many attempts: ${describeError(e)}`
          : describeError(e),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form onSubmit={(e) => void submit(e)} aria-label="Log in">
        <h1>Cohort</h1>
        <label>
          User name
          <input name="name" autoComplete="username" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" disabled={busy || name === '' || password === ''}>
          Log in
        </button>
        {error !== null && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
