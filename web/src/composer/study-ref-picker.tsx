import type { BatchLevel, StudyReference } from '../api/api-types.js';

const KINDS = ['current', 'oldest', 'latest', 'tagged', 'matching', 'named', 'analysis', 'subject'] as const;
type Kind = (typeof KINDS)[number];

const TITLES: Record<Kind, string> = {
  current: 'current study',
  oldest: 'oldest (+offset)',
  latest: 'latest (−offset)',
  tagged: 'tagged',
  matching: 'study id matching',
  named: 'named reference',
  analysis: 'analysis folder',
  subject: "subject's own files (BIDS)",
};

function initial(kind: Kind, names: readonly string[]): StudyReference {
  switch (kind) {
    case 'current':
      return { kind };
    case 'oldest':
    case 'latest':
      return { kind };
    case 'tagged':
      return { kind, tag: '' };
    case 'matching':
      return { kind, pattern: '' };
    case 'named':
      return { kind, name: names[0] ?? '' };
    case 'analysis':
      return { kind, name: '' };
    case 'subject':
      return { kind };
  }
}

export interface StudyRefPickerProps {
  readonly value: StudyReference;
  readonly onChange: (ref: StudyReference) => void;
  readonly level: BatchLevel;
  /** The batch's named references (BASELINE...). */
  readonly names: readonly string[];
  readonly label: string;
}

/** Which study a file row means: a kind, plus its offset, tag, pattern or name. */
export function StudyRefPicker({ value, onChange, level, names, label }: StudyRefPickerProps) {
  return (
    <span className="ref-picker">
      <select
        aria-label={`${label} study`}
        value={value.kind}
        onChange={(e) => onChange(initial(e.target.value as Kind, names))}
      >
        {KINDS.filter((k) => k !== 'current' || level === 'study' || value.kind === 'current').map((k) => (
          <option key={k} value={k} disabled={k === 'named' && names.length === 0}>
            {TITLES[k]}
          </option>
        ))}
      </select>
      {(value.kind === 'oldest' || value.kind === 'latest') && (
        <input
          type="number"
          min={0}
          className="narrow"
          aria-label={`${label} offset`}
          title="0 = the oldest/latest, 1 = the second..."
          value={value.offset ?? 0}
          onChange={(e) => {
            const offset = Math.max(0, Math.trunc(Number(e.target.value)));
            onChange(offset === 0 ? { kind: value.kind } : { kind: value.kind, offset });
          }}
        />
      )}
      {value.kind === 'tagged' && (
        <input
          aria-label={`${label} tag`}
          placeholder="study tag"
          value={value.tag}
          onChange={(e) => onChange({ kind: 'tagged', tag: e.target.value })}
        />
      )}
      {value.kind === 'matching' && (
        <input
          aria-label={`${label} study pattern`}
          placeholder="study id pattern"
          value={value.pattern}
          onChange={(e) => onChange({ kind: 'matching', pattern: e.target.value })}
        />
      )}
      {value.kind === 'named' && (
        <select
          aria-label={`${label} reference name`}
          value={value.name}
          onChange={(e) => onChange({ kind: 'named', name: e.target.value })}
        >
          {(names.includes(value.name) ? names : [value.name, ...names]).map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      )}
      {value.kind === 'analysis' && (
        <input
          aria-label={`${label} analysis name`}
          placeholder="ANALYSIS#name"
          value={value.name}
          onChange={(e) => onChange({ kind: 'analysis', name: e.target.value })}
        />
      )}
    </span>
  );
}
