import type { MiddlewareHandler } from 'hono';
import { ApiProblem } from '../api-problem.js';
import type { AppEnv } from '../server-context.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** `Sec-Fetch-Site` values of a request the page itself made (or the user typed). */
const SAME_SITE_FETCH = new Set(['same-origin', 'none']);

/**
 * The CSRF defence for browser sessions, beside the SameSite=Strict cookie (which an old browser or a
 * same-site sibling host may not honour): a state-changing request that does not carry a bearer token
 * must come from this origin (`Origin`, `Sec-Fetch-Site`) and, when it has a body, be JSON, which no
 * HTML form and no cross-origin script can send without a CORS preflight this server never grants.
 * Bearer-token requests (the CLI, scripts, jobs) carry no ambient credential and pass unchecked;
 * requests without an Origin (curl with a cookie) pass the origin check, as no browser omits it on POST.
 */
export const csrfGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (SAFE_METHODS.has(c.req.method) || c.req.header('Authorization') !== undefined) return next();
  const fetchSite = c.req.header('Sec-Fetch-Site');
  const origin = c.req.header('Origin');
  const host = new URL(c.req.url).host;
  if (
    (fetchSite !== undefined && !SAME_SITE_FETCH.has(fetchSite.toLowerCase())) ||
    (origin !== undefined && originHost(origin) !== host)
  ) {
    throw new ApiProblem('FORBIDDEN', `Cross-origin request refused (Origin: ${origin ?? 'none'}).`, {
      fix: 'Use the web UI served by this server, or send an API token (Authorization: Bearer).',
    });
  }
  const type = c.req.header('Content-Type');
  const hasBody =
    Number(c.req.header('Content-Length') ?? '0') > 0 || c.req.header('Transfer-Encoding') !== undefined;
  if (
    (type !== undefined && type.split(';')[0]?.trim().toLowerCase() !== 'application/json') ||
    (type === undefined && hasBody)
  ) {
    throw new ApiProblem('UNSUPPORTED_MEDIA_TYPE', `Content-Type '${type ?? 'none'}' is not accepted here.`, {
      fix: 'Send the body as JSON with Content-Type: application/json.',
    });
  }
  return next();
};

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined; // `null` (a sandboxed or file page) or garbage: never this origin
  }
}
