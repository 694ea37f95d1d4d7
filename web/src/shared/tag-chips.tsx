import { useState, type KeyboardEvent } from 'react';

export interface TagChipsProps {
  readonly tags: readonly string[];
  /** Without it the chips are read-only (a read-only role). */
  readonly onChange?: (action: 'add' | 'remove', tag: string) => void;
}

/**
 * Tags as chips, each with a remove button, and a `+` that opens a field for a new tag (Enter adds,
 * Escape closes). Clicks stay inside: they must not select the table row around them. Tags are
 * user text and only ever rendered as text.
 */
export function TagChips({ tags, onChange }: TagChipsProps) {
  const [adding, setAdding] = useState(false);
  const [text, setText] = useState('');
  function key(event: KeyboardEvent<HTMLInputElement>): void {
    if (event.key === 'Enter' && text.trim() !== '') {
      onChange?.('add', text.trim());
      setText('');
      setAdding(false);
    } else if (event.key === 'Escape') {
      setAdding(false);
    }
  }
  return (
    <span className="chips" onClick={(e) => e.stopPropagation()}>
      {tags.map((tag) => (
        <span key={tag} className="chip" title={tag}>
          {tag}
          {onChange !== undefined && (
            <button
              type="button"
              className="chip-remove"
              aria-label={`Remove tag ${tag}`}
              onClick={() => onChange('remove', tag)}
            >
              ×
            </button>
          )}
        </span>
      ))}
      {onChange !== undefined &&
        (adding ? (
          <input
            className="chip-input"
            aria-label="New tag"
            autoFocus
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={key}
            onBlur={() => setAdding(false)}
          />
        ) : (
          <button type="button" className="chip-add" aria-label="Add tag" onClick={() => setAdding(true)}>
            +
          </button>
        ))}
    </span>
  );
}
