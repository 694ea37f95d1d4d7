import { ARG_TYPES, type ArgType, type BatchLevel, type JobArgument } from '../api/api-types.js';
import { retype } from './batch-draft.js';
import { ListInput } from './list-input.js';
import { StudyRefPicker } from './study-ref-picker.js';

export interface ArgumentRowProps {
  readonly arg: JobArgument;
  readonly onChange: (arg: JobArgument) => void;
  readonly onRemove?: () => void;
  /** The types this row may take; one means the name (`$f1`) fixes it. */
  readonly types: readonly ArgType[];
  readonly level: BatchLevel;
  readonly names: readonly string[];
  /** The script no longer uses this row. */
  readonly unused: boolean;
}

/** One argument: name, type, then what the type needs (patterns and study, a path, a value). */
export function ArgumentRow({ arg, onChange, onRemove, types, level, names, unused }: ArgumentRowProps) {
  const label = arg.name;
  return (
    <div className={`arg-row${unused ? ' unused' : ''}`} role="group" aria-label={`Argument ${arg.name}`}>
      <code className="arg-name">{arg.name}</code>
      <select
        aria-label={`${label} type`}
        value={arg.type}
        disabled={types.length < 2}
        onChange={(e) => onChange(retype(arg, e.target.value as ArgType, level))}
      >
        {(types.length === 0 ? ARG_TYPES : types).map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      <ArgumentFields arg={arg} onChange={onChange} level={level} names={names} />
      {unused && <span className="warn">not in the script</span>}
      {onRemove !== undefined && (
        <button type="button" aria-label={`Remove argument ${arg.name}`} onClick={onRemove}>
          ×
        </button>
      )}
    </div>
  );
}

function ArgumentFields({
  arg,
  onChange,
  level,
  names,
}: Pick<ArgumentRowProps, 'arg' | 'onChange' | 'level' | 'names'>) {
  const label = arg.name;
  switch (arg.type) {
    case 'FILE':
      return (
        <>
          <ListInput
            label={`${label} patterns`}
            placeholder="pattern | alternative, e.g. t1*/*.nii"
            value={arg.patterns}
            onChange={(patterns) => onChange({ ...arg, patterns })}
          />
          <StudyRefPicker
            value={arg.ref}
            onChange={(ref) => onChange({ ...arg, ref })}
            level={level}
            names={names}
            label={label}
          />
          <label className="check">
            <input
              type="checkbox"
              checked={arg.multiple === true}
              onChange={(e) => onChange({ ...arg, multiple: e.target.checked })}
            />
            several
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={arg.optional === true}
              onChange={(e) => onChange({ ...arg, optional: e.target.checked })}
            />
            optional
          </label>
        </>
      );
    case 'OUT':
    case 'PATHOUT':
      return (
        <>
          <input
            aria-label={`${label} path`}
            placeholder={arg.type === 'OUT' ? 'folder/file.nii' : 'folder'}
            value={arg.path}
            spellCheck={false}
            onChange={(e) => onChange({ ...arg, path: e.target.value })}
          />
          <StudyRefPicker
            value={arg.ref}
            onChange={(ref) => onChange({ ...arg, ref })}
            level={level}
            names={names}
            label={label}
          />
          <ListInput
            label={`${label} tags`}
            placeholder="tags of the output"
            value={arg.tags ?? []}
            onChange={(tags) => onChange({ ...arg, tags })}
          />
        </>
      );
    case 'NUMERIC':
      return (
        <input
          type="number"
          aria-label={`${label} value`}
          value={Number.isFinite(arg.value) ? arg.value : ''}
          min={arg.min}
          max={arg.max}
          onChange={(e) => onChange({ ...arg, value: e.target.valueAsNumber })}
        />
      );
    case 'STRING':
      return (
        <input
          aria-label={`${label} value`}
          value={arg.value}
          onChange={(e) => onChange({ ...arg, value: e.target.value })}
        />
      );
    case 'LOGICAL':
      return (
        <input
          type="checkbox"
          aria-label={`${label} value`}
          checked={arg.value}
          onChange={(e) => onChange({ ...arg, value: e.target.checked })}
        />
      );
    case 'OPTION':
      return (
        <>
          <ListInput
            label={`${label} choices`}
            placeholder="choices: a | b | c"
            value={arg.choices}
            onChange={(choices) =>
              onChange({
                ...arg,
                choices,
                value: choices.includes(arg.value) ? arg.value : (choices[0] ?? ''),
              })
            }
          />
          <select
            aria-label={`${label} value`}
            value={arg.value}
            onChange={(e) => onChange({ ...arg, value: e.target.value })}
          >
            {arg.choices.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </>
      );
  }
}
