import { useEffect, useState } from 'react';
import { api, describeError } from '../api/api-client.js';
import type { LibraryEntry } from '../api/api-types.js';

/** Every predefined job: what it does, what it needs, and each argument with its help. */
export function LibraryPage() {
  const [entries, setEntries] = useState<readonly LibraryEntry[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  useEffect(() => {
    api<LibraryEntry[]>('GET', '/api/library').then(setEntries, (e: unknown) => setMessage(describeError(e)));
  }, []);
  const needle = search.trim().toLowerCase();
  const shown = (entries ?? []).filter(
    (e) => needle === '' || `${e.id} ${e.name} ${e.description}`.toLowerCase().includes(needle),
  );
  return (
    <div className="admin-page">
      <div className="toolbar">
        <input
          type="search"
          aria-label="Search jobs"
          placeholder="Search name or description…"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <span className="count">
          {entries === null ? 'Loading…' : `${shown.length} of ${entries.length} jobs`}
        </span>
      </div>
      {message !== null && <p className="message">{message}</p>}
      {entries !== null && shown.length === 0 && <p>No job matches '{search}'.</p>}
      {shown.map((entry) => (
        <article key={entry.id} className="library-entry" aria-label={entry.name}>
          <h3>
            {entry.name} <code>{entry.id}</code>
          </h3>
          <p>{entry.description}</p>
          {entry.job.level === 'group' && (
            <p>Group-level: runs once over all selected items, with the lists of their files.</p>
          )}
          {entry.requires.length > 0 && <p>Requires: {entry.requires.join(', ')}</p>}
          {entry.tool !== undefined && <p>Tools: {entry.tool}</p>}
          <table className="simple-table">
            <thead>
              <tr>
                <th>Argument</th>
                <th>Type</th>
                <th>Help</th>
              </tr>
            </thead>
            <tbody>
              {entry.job.args.map((a) => (
                <tr key={a.name}>
                  <td>
                    <code>{a.name}</code>
                  </td>
                  <td>{a.type}</td>
                  <td>{entry.help[a.name] ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </article>
      ))}
    </div>
  );
}
