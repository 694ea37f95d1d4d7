import { useState } from 'react';
import { ARG_TYPES, type ArgType, type BatchLevel, type JobArgument } from '../api/api-types.js';
import { defaultArgument } from './batch-draft.js';

// The server's rule (src/jobs/argument-names.ts): a lower-case identifier; it words any other problem.
const NAME = /^[a-z][a-z0-9_]{0,31}$/;

/**
 * "+": a row with a name of one's own (MATLAB's input3, a parameter `thr`, a LOGICAL `l1`, an OPTION
 * `opt1`) and any type, for what the script detection does not suggest.
 */
export function AddArgument({
  taken,
  level,
  onAdd,
}: {
  readonly taken: readonly string[];
  readonly level: BatchLevel;
  readonly onAdd: (arg: JobArgument) => void;
}) {
  const [name, setName] = useState('');
  const [type, setType] = useState<ArgType>('STRING');
  const problem =
    name === ''
      ? null
      : !NAME.test(name)
        ? 'lower-case letters, digits and _, starting with a letter'
        : taken.includes(name)
          ? 'this job has that argument already'
          : null;
  return (
    <div className="arg-row add-arg" role="group" aria-label="New argument">
      <input
        aria-label="New argument name"
        placeholder="name, e.g. thr"
        value={name}
        onChange={(e) => setName(e.target.value.trim())}
      />
      <select
        aria-label="New argument type"
        value={type}
        onChange={(e) => setType(e.target.value as ArgType)}
      >
        {ARG_TYPES.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      <button
        type="button"
        aria-label="Add argument"
        disabled={name === '' || problem !== null}
        onClick={() => {
          onAdd(defaultArgument(name, type, level));
          setName('');
        }}
      >
        +
      </button>
      {problem !== null && <span className="warn">{problem}</span>}
    </div>
  );
}
