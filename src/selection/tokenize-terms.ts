import { invalidInput, SyntaxErrorAt } from '../errors/cohort-error.js';

/**
 * Most terms one selector or filter may hold. Each term becomes a few SQL conditions and SQLite refuses
 * an expression deeper than 1000; a list of hundreds of ids is better expressed by a tag.
 */
export const MAX_TERMS = 200;

/** One term of a selector or filter, with its 0-based offset in the source for error messages. */
export interface Token {
  readonly kind: 'term' | 'and';
  readonly text: string;
  readonly position: number;
}

export interface Tokens {
  /** The text errors point into: the input string, or argv words joined by spaces. */
  readonly source: string;
  readonly tokens: readonly Token[];
}

export interface TokenizeOptions {
  /** Treat an unquoted `&` as a token of its own (the filter bar's AND). Default false. */
  readonly ampersand?: boolean;
}

/**
 * Splits selector or filter input into terms.
 *
 * A string is split on whitespace; double quotes keep spaces inside a term (`file:"my scan*.nii"` or
 * `"file:my scan*.nii"`) and `\"` stands for a literal quote. Every other backslash is kept, because
 * it belongs to the pattern syntax (`\*`, `\_`). An array (argv words, already split by the shell)
 * gives one term per element, unchanged.
 */
export function tokenizeTerms(input: string | readonly string[], options: TokenizeOptions = {}): Tokens {
  const tokens = typeof input === 'string' ? tokenizeString(input, options) : tokenizeWords(input);
  const terms = tokens.tokens.filter((t) => t.kind === 'term').length;
  if (terms > MAX_TERMS) {
    throw invalidInput(
      `Too many terms: ${terms} (at most ${MAX_TERMS}).`,
      'Tag the items once (`cohort tag add`) and select them by tag (STAG:x, stag:x) instead of listing them.',
    );
  }
  return tokens;
}

function tokenizeWords(words: readonly string[]): Tokens {
  const tokens: Token[] = [];
  let source = '';
  for (const word of words) {
    if (source !== '') source += ' ';
    // Quote words with spaces so the echoed source reads as what the user typed.
    const shown = word === '' || /\s/.test(word) ? `"${word}"` : word;
    tokens.push({ kind: 'term', text: word, position: source.length });
    source += shown;
  }
  const empty = tokens.find((t) => t.text === '');
  if (empty !== undefined) throw new SyntaxErrorAt(source, empty.position, '""', 'Empty term');
  return { source, tokens };
}

function tokenizeString(source: string, options: TokenizeOptions): Tokens {
  const tokens: Token[] = [];
  let text = '';
  let start = -1; // -1: not inside a term
  let quoteStart = -1; // -1: not inside quotes
  const finish = (): void => {
    if (start < 0) return;
    if (text === '') throw new SyntaxErrorAt(source, start, source.slice(start, start + 2), 'Empty term');
    tokens.push({ kind: 'term', text, position: start });
    text = '';
    start = -1;
  };
  for (let i = 0; i < source.length; i++) {
    const c = source.charAt(i);
    if (quoteStart < 0 && /\s/.test(c)) {
      finish();
      continue;
    }
    if (quoteStart < 0 && c === '&' && options.ampersand === true) {
      finish();
      tokens.push({ kind: 'and', text: '&', position: i });
      continue;
    }
    if (start < 0) start = i;
    if (c === '\\' && source.charAt(i + 1) === '"') {
      text += '"';
      i++;
    } else if (c === '"') {
      quoteStart = quoteStart < 0 ? i : -1;
    } else {
      text += c;
    }
  }
  if (quoteStart >= 0) {
    throw new SyntaxErrorAt(
      source,
      quoteStart,
      source.slice(quoteStart),
      'Unterminated double quote',
      'Close the quote, or write \\" for a literal quote character.',
    );
  }
  finish();
  return { source, tokens };
}
