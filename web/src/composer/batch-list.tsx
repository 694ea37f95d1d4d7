import { useState } from 'react';
import type { BatchListEntry } from '../api/api-types.js';

export interface BatchListProps {
  readonly entries: readonly BatchListEntry[];
  readonly currentId: number | null;
  readonly onLoad: (entry: BatchListEntry) => void;
  readonly onDuplicate: (entry: BatchListEntry, name: string) => void;
  readonly onDelete: (entry: BatchListEntry) => void;
  readonly onFavourite: (entry: BatchListEntry, favourite: boolean) => void;
}

/** The project's saved batches by folder, favourites starred: load, duplicate, delete (asks first). */
export function BatchList({
  entries,
  currentId,
  onLoad,
  onDuplicate,
  onDelete,
  onFavourite,
}: BatchListProps) {
  const [favouritesOnly, setFavouritesOnly] = useState(false);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [copying, setCopying] = useState<{ id: number; name: string } | null>(null);
  const shown = entries.filter((e) => !favouritesOnly || e.favourite);
  const folders = [...new Set(shown.map((e) => e.folder))].sort();
  return (
    <aside className="batch-list" aria-label="Batch list">
      <h2>Batches</h2>
      <label className="check">
        <input
          type="checkbox"
          checked={favouritesOnly}
          onChange={(e) => setFavouritesOnly(e.target.checked)}
        />
        favourites only
      </label>
      {shown.length === 0 && (
        <p className="hint">No saved batches{favouritesOnly ? ' among the favourites' : ''}.</p>
      )}
      {folders.map((folder) => (
        <div key={folder} className="batch-folder">
          <h3>{folder === '' ? '(top level)' : `${folder}/`}</h3>
          <ul>
            {shown
              .filter((e) => e.folder === folder)
              .map((entry) => (
                <li key={entry.id} className={entry.id === currentId ? 'current' : undefined}>
                  <button
                    type="button"
                    className="star"
                    aria-label={entry.favourite ? `Unstar ${entry.name}` : `Star ${entry.name}`}
                    aria-pressed={entry.favourite}
                    onClick={() => onFavourite(entry, !entry.favourite)}
                  >
                    {entry.favourite ? '★' : '☆'}
                  </button>
                  <button
                    type="button"
                    className="link"
                    title={`${entry.level} level: ${entry.jobNames.join(' → ')}`}
                    onClick={() => onLoad(entry)}
                  >
                    {entry.name}
                  </button>
                  {copying?.id === entry.id ? (
                    <form
                      className="inline"
                      onSubmit={(e) => {
                        e.preventDefault();
                        onDuplicate(entry, copying.name);
                        setCopying(null);
                      }}
                    >
                      <input
                        aria-label="Name of the copy"
                        autoFocus
                        value={copying.name}
                        onChange={(e) => setCopying({ id: entry.id, name: e.target.value })}
                      />
                      <button type="submit">Copy</button>
                      <button type="button" onClick={() => setCopying(null)}>
                        Cancel
                      </button>
                    </form>
                  ) : (
                    <button
                      type="button"
                      aria-label={`Duplicate ${entry.name}`}
                      onClick={() => setCopying({ id: entry.id, name: `${entry.name} copy` })}
                    >
                      Duplicate
                    </button>
                  )}
                  {confirming === entry.id ? (
                    <>
                      <button type="button" className="danger" onClick={() => onDelete(entry)}>
                        Really delete
                      </button>
                      <button type="button" onClick={() => setConfirming(null)}>
                        Keep
                      </button>
                    </>
                  ) : (
                    <button
                      type="button"
                      aria-label={`Delete ${entry.name}`}
                      onClick={() => setConfirming(entry.id)}
                    >
                      Delete
                    </button>
                  )}
                </li>
              ))}
          </ul>
        </div>
      ))}
    </aside>
  );
}
