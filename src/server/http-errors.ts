import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import { isCohortError, SyntaxErrorAt, type ErrorCode } from '../errors/cohort-error.js';
import type { ApiError } from './api-types.js';
import { ApiProblem } from './api-problem.js';
import { databaseProblem } from '../db/database-problem.js';
import type { ServerContext } from './server-context.js';

/** The status of each core error code: bad input is the client's (4xx), a busy database may pass (503). */
const STATUS: Readonly<Record<ErrorCode, ContentfulStatusCode>> = {
  INVALID_INPUT: 400,
  SYNTAX: 400,
  PATH_OUTSIDE_ROOT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  DATABASE_BUSY: 503,
  NOT_AVAILABLE: 409,
  DAMAGED_RECORD: 500,
  FILESYSTEM: 500,
  TOOL_FAILED: 500,
  TOOL_MISSING: 500,
};

/**
 * The one place errors become HTTP responses, `{ error: { code, message, fix } }`: core errors
 * (CohortError) by their code, auth and rights failures (ApiProblem), zod validation (400 naming the
 * field), malformed JSON (400). Anything else is a bug: 500 with a generic message (no stack, no
 * internals), logged on the server with its stack.
 */
export function handleError(thrown: Error, c: Context): Response {
  // A damaged, read-only or full database is an operational fault with a fix, not a bug.
  const ctx = (c.var as { ctx?: ServerContext }).ctx;
  const error =
    (ctx === undefined ? undefined : databaseProblem(thrown, ctx.catalog.config.databasePath)) ?? thrown;
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const field = issue?.path.join('.') ?? '';
    return reply(c, 400, {
      code: 'INVALID_INPUT',
      message: `${field === '' ? 'The request' : `'${field}'`}: ${issue?.message ?? 'is invalid'}`,
      fix:
        error.issues.length > 1
          ? `${error.issues.length} problems; fix this one first.`
          : 'Correct the field and send again.',
      ...(field === '' ? {} : { field }),
    });
  }
  if (error instanceof ApiProblem) {
    if (error.retryAfter !== undefined) c.header('Retry-After', String(error.retryAfter));
    return reply(c, error.status, {
      code: error.code,
      message: error.message,
      ...(error.fix === undefined ? {} : { fix: error.fix }),
    });
  }
  if (isCohortError(error)) {
    const status = STATUS[error.code];
    if (status >= 500) console.error(`cohort server: ${error.code}: ${error.message}`);
    if (error.retryable) c.header('Retry-After', '5');
    return reply(c, status, {
      code: error.code,
      message: error.message,
      // The filter bar underlines the bad term.
      ...(error instanceof SyntaxErrorAt ? { position: error.position } : {}),
      ...(error.hint === undefined ? {} : { fix: error.hint }),
    });
  }
  if (error instanceof HTTPException) {
    return reply(c, error.status, {
      code: error.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'INVALID_INPUT',
      message: error.message || 'Bad request.',
    });
  }
  console.error('cohort server: unexpected error', error);
  return reply(c, 500, {
    code: 'INTERNAL',
    message: 'Internal server error.',
    fix: 'This is a bug; the server log has the details.',
  });
}

/** Unknown routes under /api answer JSON too. */
export function handleNotFound(c: Context): Response {
  return reply(c, 404, { code: 'NOT_FOUND', message: `No endpoint ${c.req.method} ${c.req.path}.` });
}

function reply(c: Context, status: ContentfulStatusCode, error: ApiError['error']): Response {
  return c.json({ error } satisfies ApiError, status);
}
