/** A value SQLite can bind. */
export type SqlValue = string | number | bigint | null;

/** A piece of SQL text with the values bound to its `?` placeholders, in order. */
export interface SqlFragment {
  readonly text: string;
  readonly params: readonly SqlValue[];
}

/**
 * Tagged template that builds an {@link SqlFragment}: interpolated values become `?` placeholders,
 * interpolated fragments are inlined with their parameters. This way user input can only ever reach
 * the database as a bound value, never as SQL text.
 *
 * Example: ``sql`s.pid LIKE ${pattern} ESCAPE '\\'` ``.
 */
export function sql(
  strings: TemplateStringsArray,
  ...values: ReadonlyArray<SqlValue | SqlFragment>
): SqlFragment {
  let text = strings[0] ?? '';
  const params: SqlValue[] = [];
  values.forEach((value, i) => {
    if (isFragment(value)) {
      text += value.text;
      params.push(...value.params);
    } else {
      text += '?';
      params.push(value);
    }
    text += strings[i + 1] ?? '';
  });
  return { text, params };
}

/**
 * Joins fragments with a fixed operator; an empty list gives `empty` (the neutral element, e.g. `1`
 * for AND, `0` for OR).
 */
export function joinSql(
  parts: readonly SqlFragment[],
  operator: ' AND ' | ' OR ',
  empty: SqlFragment,
): SqlFragment {
  if (parts.length === 0) return empty;
  return {
    text: parts.map((p) => `(${p.text})`).join(operator),
    params: parts.flatMap((p) => p.params),
  };
}

function isFragment(value: SqlValue | SqlFragment): value is SqlFragment {
  return typeof value === 'object' && value !== null;
}
