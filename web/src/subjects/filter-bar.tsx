/** The filter-bar language in one line, shown under the field. */
export const FILTER_HELP =
  'Space = OR, & = AND, ! = NOT; each term matches ids (and file paths) as a prefix with * and _ wildcards; ' +
  'STAG:t, PTAG:t, FTAG:t filter by tag; JOB:q/r/s/e by job state (queued, running, suspended, erroneous).';

export interface FilterBarProps {
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly error: string | null;
  readonly total: number | null;
  readonly noun: string;
}

/** The table's filter field: every keystroke asks the server (older answers are dropped). */
export function FilterBar({ value, onChange, error, total, noun }: FilterBarProps) {
  return (
    <div className="filter-bar">
      <input
        type="search"
        aria-label="Filter"
        placeholder="Filter, e.g. P00 & STAG:baseline, JOB:e, t1*/*.nii & PTAG:control"
        value={value}
        spellCheck={false}
        onChange={(e) => onChange(e.target.value)}
      />
      <span className="count" aria-live="polite">
        {total === null ? '…' : `${total.toLocaleString('en')} ${noun}`}
      </span>
      {error !== null ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : (
        <p className="hint">{FILTER_HELP}</p>
      )}
    </div>
  );
}
