import { useCallback, useEffect, useState } from 'react';
import { api, describeError, projectPath } from '../api/api-client.js';
import type { CreatedToken, RoleEntry, TokenInfo, UserInfo } from '../api/api-types.js';
import { useApp } from '../app/app-context.js';

const ROLES = ['read', 'run', 'admin'] as const;
const day = (ms: number | null): string => (ms === null ? 'never' : new Date(ms).toLocaleDateString('sv'));

/**
 * Users (server admins), roles in the current project (its admins) and one's own API tokens (everyone):
 * what `cohort user` and `cohort token` do.
 */
export function UsersPage() {
  const { me, project } = useApp();
  const [users, setUsers] = useState<readonly UserInfo[]>([]);
  const [roles, setRoles] = useState<readonly RoleEntry[]>([]);
  const [tokens, setTokens] = useState<readonly TokenInfo[]>([]);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [newUser, setNewUser] = useState({ name: '', password: '', admin: false });
  const [grant, setGrant] = useState({ user: '', role: 'read' });
  const [tokenName, setTokenName] = useState('');
  const isAdmin = project.role === 'admin';

  const refresh = useCallback(() => {
    const fail = (e: unknown): void => setMessage(describeError(e));
    api<TokenInfo[]>('GET', '/api/auth/tokens').then(setTokens, fail);
    if (me.user.admin) api<UserInfo[]>('GET', '/api/users').then(setUsers, fail);
    if (isAdmin) api<RoleEntry[]>('GET', projectPath(project.name, 'roles')).then(setRoles, fail);
  }, [me.user.admin, isAdmin, project.name]);
  useEffect(refresh, [refresh]);

  async function send<T>(
    method: string,
    path: string,
    body: object | undefined,
    done: string,
  ): Promise<T | null> {
    try {
      const answer = await api<T>(method, path, body === undefined ? {} : { body });
      setMessage(done);
      refresh();
      return answer;
    } catch (e) {
      setMessage(describeError(e));
      return null;
    }
  }

  return (
    <div className="admin-page">
      {message !== null && (
        <p className="message" role="status">
          {message}
        </p>
      )}
      <h2>Your API tokens</h2>
      <table className="simple-table" aria-label="Tokens">
        <thead>
          <tr>
            <th>Name</th>
            <th>Created</th>
            <th>Expires</th>
            <th>Last used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td>{day(t.createdAt)}</td>
              <td>{day(t.expiresAt)}</td>
              <td>{day(t.lastUsedAt)}</td>
              <td>
                <button
                  type="button"
                  onClick={() =>
                    void send('DELETE', `/api/auth/tokens/${t.id}`, undefined, `Token ${t.name} revoked.`)
                  }
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="admin-form"
        aria-label="New token"
        onSubmit={(e) => {
          e.preventDefault();
          void send<CreatedToken>(
            'POST',
            '/api/auth/tokens',
            { name: tokenName },
            `Token ${tokenName} made.`,
          ).then(setCreated);
        }}
      >
        <label>
          Token name
          <input value={tokenName} onChange={(e) => setTokenName(e.target.value)} />
        </label>
        <button type="submit">Make token</button>
      </form>
      {created !== null && (
        <p>
          Copy it now, it is shown once: <span className="token-secret">{created.token}</span>
        </p>
      )}

      {isAdmin && (
        <>
          <h2>Roles in {project.name}</h2>
          <table className="simple-table" aria-label="Roles">
            <tbody>
              {roles.map((r) => (
                <tr key={r.user}>
                  <td>{r.user}</td>
                  <td>{r.role}</td>
                  <td>
                    <button
                      type="button"
                      onClick={() =>
                        void send(
                          'DELETE',
                          projectPath(project.name, `roles/${encodeURIComponent(r.user)}`),
                          undefined,
                          `${r.user} has no role in ${project.name} now.`,
                        )
                      }
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <form
            className="admin-form"
            aria-label="Grant role"
            onSubmit={(e) => {
              e.preventDefault();
              void send(
                'PUT',
                projectPath(project.name, `roles/${encodeURIComponent(grant.user)}`),
                { role: grant.role },
                `${grant.user} is ${grant.role} in ${project.name}.`,
              );
            }}
          >
            <label>
              User
              <input value={grant.user} onChange={(e) => setGrant({ ...grant, user: e.target.value })} />
            </label>
            <label>
              Role
              <select value={grant.role} onChange={(e) => setGrant({ ...grant, role: e.target.value })}>
                {ROLES.map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </select>
            </label>
            <button type="submit">Grant</button>
          </form>
        </>
      )}

      {me.user.admin && (
        <>
          <h2>Users</h2>
          <table className="simple-table" aria-label="Users">
            <tbody>
              {users.map((u) => (
                <tr key={u.id}>
                  <td>{u.name}</td>
                  <td>{u.admin ? 'server admin' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <form
            className="admin-form"
            aria-label="New user"
            onSubmit={(e) => {
              e.preventDefault();
              void send('POST', '/api/users', newUser, `User ${newUser.name} added.`);
            }}
          >
            <label>
              User name
              <input
                value={newUser.name}
                onChange={(e) => setNewUser({ ...newUser, name: e.target.value })}
              />
            </label>
            <label>
              Initial password
              <input
                type="password"
                value={newUser.password}
                onChange={(e) => setNewUser({ ...newUser, password: e.target.value })}
              />
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={newUser.admin}
                onChange={(e) => setNewUser({ ...newUser, admin: e.target.checked })}
              />
              server admin
            </label>
            <button type="submit">Add user</button>
          </form>
        </>
      )}
    </div>
  );
}
