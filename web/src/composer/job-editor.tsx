import { useEffect } from 'react';
import {
  ARG_TYPES,
  impliedTypes,
  SCRIPT_LANGUAGES,
  type ArgType,
  type BatchLevel,
  type JobArgument,
  type JobDefinition,
  type ScriptLanguage,
} from '../api/api-types.js';
import { AddArgument } from './add-argument.js';
import { ArgumentRow } from './argument-row.js';
import { LANGUAGE_TITLES, syncScriptRows, unusedRows } from './batch-draft.js';
import { JobOptions } from './job-options.js';
import { useScriptRows } from './use-script-rows.js';

const SCRIPT_HELP: Record<ScriptLanguage, string> = {
  bash: '$f1.. inputs, $o1.. outputs, $p1.. output folders, $s1.. strings, $n1.. numbers',
  python: '$f1.. inputs, $o1.. outputs, $p1.. output folders, $s1.. strings, $n1.. numbers',
  matlab: 'input1..N (lists of absolute paths) and output1..N (absolute paths)',
};

export interface JobEditorProps {
  readonly job: JobDefinition;
  readonly index: number;
  readonly count: number;
  readonly level: BatchLevel;
  readonly names: readonly string[];
  readonly onChange: (job: JobDefinition) => void;
  readonly onRemove: () => void;
  readonly onMove: (by: -1 | 1) => void;
}

/**
 * One job of the batch: its name, the script (generic jobs; argument rows appear as `$f1`… are typed)
 * or the library job's id, its argument rows and its options.
 */
export function JobEditor({ job, index, count, level, names, onChange, onRemove, onMove }: JobEditorProps) {
  const generic = job.library === undefined;
  const rows = useScriptRows(generic ? job.language : undefined, generic ? (job.script ?? '') : undefined);
  useEffect(() => {
    if (rows === undefined) return;
    const synced = syncScriptRows(job, rows, level);
    if (synced !== job) onChange(synced);
    // Only a new detection adds rows (deps: rows only); editing the job must not loop back here.
  }, [rows]);
  const unused = unusedRows(job, rows);
  const setArg = (i: number, arg: JobArgument): void =>
    onChange({ ...job, args: job.args.map((a, j) => (j === i ? arg : a)) });
  const typesOf = (arg: JobArgument): readonly ArgType[] =>
    // A free name (thr, l1) may take any type; $f1-style names are fixed by their letter.
    generic ? (impliedTypes(job.language ?? 'bash', arg.name) ?? ARG_TYPES) : [arg.type];

  return (
    <section className="job-card" aria-label={`Job ${index + 1}`}>
      <header>
        <span className="job-number">{index + 1}</span>
        <input
          aria-label="Job name"
          className="job-name"
          value={job.name}
          onChange={(e) => onChange({ ...job, name: e.target.value })}
        />
        {generic ? (
          <select
            aria-label="Language"
            value={job.language ?? 'bash'}
            onChange={(e) => onChange({ ...job, language: e.target.value as ScriptLanguage })}
          >
            {SCRIPT_LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {LANGUAGE_TITLES[l]}
              </option>
            ))}
          </select>
        ) : (
          <code className="library-id">{job.library}</code>
        )}
        <button type="button" aria-label="Move job up" disabled={index === 0} onClick={() => onMove(-1)}>
          ↑
        </button>
        <button
          type="button"
          aria-label="Move job down"
          disabled={index === count - 1}
          onClick={() => onMove(1)}
        >
          ↓
        </button>
        <button type="button" aria-label="Remove job" onClick={onRemove}>
          Remove
        </button>
      </header>
      {generic && (
        <label className="script">
          <span className="hint">Script — {SCRIPT_HELP[job.language ?? 'bash']}</span>
          <textarea
            aria-label="Script"
            rows={Math.min(16, Math.max(4, (job.script ?? '').split('\n').length + 1))}
            spellCheck={false}
            value={job.script ?? ''}
            onChange={(e) => onChange({ ...job, script: e.target.value })}
          />
        </label>
      )}
      <div className="args">
        {job.args.length === 0 && (
          <p className="hint">No arguments{generic ? ' yet: use $f1, $o1… in the script' : ''}.</p>
        )}
        {job.args.map((arg, i) => (
          <ArgumentRow
            key={arg.name}
            arg={arg}
            types={typesOf(arg)}
            level={level}
            names={names}
            unused={unused.has(arg.name)}
            onChange={(a) => setArg(i, a)}
            {...(unused.has(arg.name)
              ? { onRemove: () => onChange({ ...job, args: job.args.filter((_, j) => j !== i) }) }
              : {})}
          />
        ))}
        {generic && (
          <AddArgument
            taken={job.args.map((a) => a.name)}
            level={level}
            onAdd={(arg) => onChange({ ...job, args: [...job.args, arg] })}
          />
        )}
      </div>
      <JobOptions job={job} onChange={onChange} />
    </section>
  );
}
