import { useCallback, useState } from 'react';
import { api, projectPath } from '../api/api-client.js';
import type { CreatedToken, RoleEntry, TokenInfo, UserInfo } from '../api/api-types.js';
import { useApp } from '../app/app-context.js';
import { CheckField, SelectField, StatusMessage, TextField, useAdminActions } from './admin-kit.js';

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
  const [newUser, setNewUser] = useState({ name: '', password: '' });
  const [newAdmin, setNewAdmin] = useState(false);
  const [grant, setGrant] = useState({ user: '', role: 'read' });
  const [tokenName, setTokenName] = useState('');
  const isAdmin = project.role === 'admin';

  const load = useCallback(
    (fail: (e: unknown) => void) => {
      api<TokenInfo[]>('GET', '/api/auth/tokens').then(setTokens, fail);
      if (me.user.admin) api<UserInfo[]>('GET', '/api/users').then(setUsers, fail);
      if (isAdmin) api<RoleEntry[]>('GET', projectPath(project.name, 'roles')).then(setRoles, fail);
    },
    [me.user.admin, isAdmin, project.name],
  );
  const { message, send } = useAdminActions(load);

  return (
    <div className="admin-page">
      <StatusMessage message={message} />
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
        <TextField
          form={{ tokenName }}
          setForm={(f) => setTokenName(f.tokenName)}
          name="tokenName"
          label="Token name"
        />
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
            <TextField form={grant} setForm={setGrant} name="user" label="User" />
            <SelectField form={grant} setForm={setGrant} name="role" label="Role" options={ROLES} />
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
              void send('POST', '/api/users', { ...newUser, admin: newAdmin }, `User ${newUser.name} added.`);
            }}
          >
            <TextField form={newUser} setForm={setNewUser} name="name" label="User name" />
            <TextField
              form={newUser}
              setForm={setNewUser}
              name="password"
              label="Initial password"
              type="password"
            />
            <CheckField checked={newAdmin} onChange={setNewAdmin}>
              server admin
            </CheckField>
            <button type="submit">Add user</button>
          </form>
        </>
      )}
    </div>
  );
}
