import { SCRIPT_LANGUAGES, type JobDefinition, type LibraryEntry } from '../api/api-types.js';
import { LANGUAGE_TITLES, newGenericJob } from './batch-draft.js';

/** "Add job": a generic BASH/Python/MATLAB script, or a predefined job of the library. */
export function AddJobMenu({
  library,
  onAdd,
}: {
  readonly library: readonly LibraryEntry[];
  readonly onAdd: (job: JobDefinition) => void;
}) {
  return (
    <select
      aria-label="Add job"
      value=""
      onChange={(e) => {
        const value = e.target.value;
        const language = SCRIPT_LANGUAGES.find((l) => `generic:${l}` === value);
        if (language !== undefined) onAdd(newGenericJob(language));
        const entry = library.find((l) => `library:${l.id}` === value);
        if (entry !== undefined) onAdd(entry.job);
      }}
    >
      <option value="">Add job…</option>
      <optgroup label="Generic script">
        {SCRIPT_LANGUAGES.map((l) => (
          <option key={l} value={`generic:${l}`}>
            {LANGUAGE_TITLES[l]}
          </option>
        ))}
      </optgroup>
      <optgroup label="Library">
        {library.map((l) => (
          <option key={l.id} value={`library:${l.id}`} title={l.description}>
            {l.name}
            {l.requires.length > 0 ? ` (needs ${l.requires.join(', ')})` : ''}
          </option>
        ))}
      </optgroup>
    </select>
  );
}
