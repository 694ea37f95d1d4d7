/** The HTTP-only failures (authentication, rights, rate limits) that no core function raises. */
export const API_PROBLEMS = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
} as const;
export type ApiProblemCode = keyof typeof API_PROBLEMS;

/**
 * An error that maps to an HTTP status by its code; thrown by the auth middleware and the rights check,
 * answered by the one error handler (http-errors.ts).
 */
export class ApiProblem extends Error {
  readonly code: ApiProblemCode;
  readonly fix: string | undefined;
  /** Seconds, for 429. */
  readonly retryAfter: number | undefined;

  constructor(code: ApiProblemCode, message: string, options: { fix?: string; retryAfter?: number } = {}) {
    super(message);
    this.name = 'ApiProblem';
    this.code = code;
    this.fix = options.fix;
    this.retryAfter = options.retryAfter;
  }

  get status(): (typeof API_PROBLEMS)[ApiProblemCode] {
    return API_PROBLEMS[this.code];
  }
}
