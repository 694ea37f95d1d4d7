import { useState } from 'react';

const SEPARATOR = '|';

function parse(text: string): string[] {
  return text
    .split(SEPARATOR)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * A list of words in one field, separated by `|` (file patterns, tried in order; output tags). The text
 * is kept as typed, so a trailing `|` does not vanish while the next pattern is being written.
 */
export function ListInput({
  value,
  onChange,
  label,
  placeholder,
}: {
  readonly value: readonly string[];
  readonly onChange: (value: string[]) => void;
  readonly label: string;
  readonly placeholder?: string;
}) {
  const [text, setText] = useState(value.join(` ${SEPARATOR} `));
  // A change from outside (a loaded batch) replaces the text; an edit that parses the same keeps it.
  const shown = parse(text).join('\u0000') === value.join('\u0000') ? text : value.join(` ${SEPARATOR} `);
  return (
    <input
      aria-label={label}
      placeholder={placeholder}
      value={shown}
      spellCheck={false}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parse(e.target.value));
      }}
    />
  );
}
