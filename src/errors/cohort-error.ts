/**
 * The error taxonomy. Every failure a user can cause or meet carries a stable `code`, a message that
 * names the problem, a `hint` that names the fix, and whether retrying could help. The CLI (and later
 * the HTTP server) turn these into output in one place; anything else is a bug and shows a stack.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'SYNTAX',
  'NOT_FOUND',
  'CONFLICT',
  'DATABASE_BUSY',
  'PATH_OUTSIDE_ROOT',
  'FILESYSTEM',
  'TOOL_FAILED',
  'TOOL_MISSING',
  'NOT_AVAILABLE',
  /** A stored record (a task's provenance, a run's definition) that this version cannot read. */
  'DAMAGED_RECORD',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface CohortErrorOptions {
  readonly hint?: string;
  readonly context?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
  readonly retryable?: boolean;
}

export class CohortError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly context: Readonly<Record<string, unknown>>;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: CohortErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CohortError';
    this.code = code;
    this.hint = options.hint;
    this.context = options.context ?? {};
    this.retryable = options.retryable ?? false;
  }
}

/** Bad user input (arguments, definitions, values). */
export function invalidInput(message: string, hint?: string, context?: Record<string, unknown>): CohortError {
  return new CohortError('INVALID_INPUT', message, { hint, context });
}

/** A named thing (project, study, file) does not exist. */
export function notFound(message: string, hint?: string, context?: Record<string, unknown>): CohortError {
  return new CohortError('NOT_FOUND', message, { hint, context });
}

/**
 * A syntax error in a selector, pattern or filter, pointing at the offending term.
 * `position` is the 0-based character offset of the term in `source`.
 */
export class SyntaxErrorAt extends CohortError {
  readonly source: string;
  readonly position: number;

  constructor(source: string, position: number, term: string, problem: string, hint?: string) {
    const shown = excerpt(source, position, term.length);
    const caret = `${shown.text}\n${' '.repeat(shown.position)}${'^'.repeat(Math.max(1, shown.length))}`;
    super('SYNTAX', `${problem} in term '${clip(term)}' at position ${position + 1}:\n${caret}`, {
      hint,
      context: { source, position, term },
    });
    this.source = source;
    this.position = position;
  }
}

// A message quoting a 50,000-character input would bury the problem: quote a window around it.
const CONTEXT_CHARS = 40;
const TERM_CHARS = 80;
/** Inputs up to this length are quoted whole. */
const SHORT_SOURCE = 200;

function clip(text: string): string {
  return text.length <= SHORT_SOURCE || text.length <= TERM_CHARS ? text : `${text.slice(0, TERM_CHARS)}…`;
}

function excerpt(
  source: string,
  position: number,
  length: number,
): { text: string; position: number; length: number } {
  if (source.length <= SHORT_SOURCE) return { text: source, position, length };
  const start = Math.max(0, position - CONTEXT_CHARS);
  const shownLength = Math.min(length, TERM_CHARS);
  const end = Math.min(source.length, position + shownLength + CONTEXT_CHARS);
  const before = start > 0 ? '…' : '';
  const after = end < source.length ? '…' : '';
  return {
    text: `${before}${source.slice(start, end)}${after}`,
    position: before.length + position - start,
    length: shownLength,
  };
}

export function isCohortError(error: unknown): error is CohortError {
  return error instanceof CohortError;
}
