import { useState } from 'react';
import type { BatchLevel, StudyReference } from '../api/api-types.js';
import { StudyRefPicker } from './study-ref-picker.js';

/** The batch's named study references (`BASELINE = oldest study`) that its rows can use by name. */
export function ReferencesEditor({
  references,
  level,
  onChange,
}: {
  readonly references: Readonly<Record<string, StudyReference>>;
  readonly level: BatchLevel;
  readonly onChange: (references: Record<string, StudyReference>) => void;
}) {
  const [name, setName] = useState('');
  const entries = Object.entries(references);
  const add = (): void => {
    const key = name.trim();
    if (key === '' || key in references) return;
    onChange({ ...references, [key]: { kind: 'oldest' } });
    setName('');
  };
  return (
    <fieldset className="references">
      <legend>Named study references</legend>
      {entries.map(([key, ref]) => (
        <div key={key} className="reference-row">
          <code>{key}</code> =
          <StudyRefPicker
            value={ref}
            level={level}
            names={[]}
            label={`Reference ${key}`}
            onChange={(r) => onChange({ ...references, [key]: r })}
          />
          <button
            type="button"
            aria-label={`Remove reference ${key}`}
            onClick={() => onChange(Object.fromEntries(entries.filter(([k]) => k !== key)))}
          >
            ×
          </button>
        </div>
      ))}
      <div className="reference-row">
        <input
          aria-label="New reference name"
          placeholder="e.g. BASELINE"
          value={name}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') add();
          }}
        />
        <button type="button" onClick={add} disabled={name.trim() === ''}>
          Add reference
        </button>
      </div>
    </fieldset>
  );
}
