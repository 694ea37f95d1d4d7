import type { ApiError } from './api-types.js';

/** A request the server refused, with its stable code and the server's advice. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();

/** Called whenever a request answers 401 (session expired, logged out elsewhere): the app shows the login. */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  /** A 401 of the login itself is a wrong password, not an expired session. */
  readonly quietUnauthenticated?: boolean;
}

/**
 * One JSON call to the API (same origin, session cookie). Non-2xx answers become {@link ApiFailure}
 * from the server's `{ error: { code, message, fix } }`.
 */
export async function api<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: options.body === undefined ? {} : { 'Content-Type': 'application/json' },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const response = await fetch(path, init);
  if (response.ok) return (await response.json()) as T;
  let error: ApiError['error'] = { code: 'HTTP_' + String(response.status), message: response.statusText };
  try {
    error = ((await response.json()) as ApiError).error;
  } catch {
    // Not JSON (a proxy's page): keep the status line.
  }
  if (response.status === 401 && options.quietUnauthenticated !== true) {
    for (const listener of unauthenticatedListeners) listener();
  }
  throw new ApiFailure(response.status, error.code, error.message, error.fix);
}

/** `/api/projects/<name>/<rest>` with the project name escaped. */
export function projectPath(project: string, rest: string): string {
  return `/api/projects/${encodeURIComponent(project)}/${rest}`;
}

/** A query string from defined values only (`?a=1&b=x`), or '' when there are none. */
export function query(params: Readonly<Record<string, string | number | boolean | undefined>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** The message to show for any failure: the server's message and fix, or the error's text. */
export function describeError(error: unknown): string {
  if (error instanceof ApiFailure)
    return error.fix === undefined ? error.message : `${error.message} ${error.fix}`;
  return error instanceof Error ? error.message : String(error);
}

/** True for the AbortError of a request superseded by a newer one. */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
