import type { Context, MiddlewareHandler } from 'hono';
import { hasActiveTasks } from '../../runs/index.js';
import { resolveToken } from '../../users/api-tokens.js';
import { sessionUser } from '../../users/sessions.js';
import { ApiProblem } from '../api-problem.js';
import type { AppEnv } from '../server-context.js';
import type { Principal } from './principal.js';
import { sessionCookie } from './session-cookie.js';

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Finds who a request speaks for: `Authorization: Bearer <token>` (an API token or a job credential),
 * else the session cookie. Without either, or with an unknown, revoked or expired one: 401.
 */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('principal', resolvePrincipal(c));
  await next();
};

/**
 * Who the request's credential speaks for now, read afresh from the database (a long-lived stream
 * calls it again to notice a logout, a revoked token or a changed admin flag).
 *
 * @throws ApiProblem UNAUTHENTICATED.
 */
export function resolvePrincipal(c: Context<AppEnv>): Principal {
  const { catalog, now } = c.var.ctx;
  const header = c.req.header('Authorization');
  let principal: Principal | undefined;
  if (header !== undefined) {
    const secret = BEARER.exec(header)?.[1];
    const token = secret === undefined ? undefined : resolveToken(catalog.db, secret, now());
    if (token === undefined) {
      throw new ApiProblem('UNAUTHENTICATED', 'The API token is unknown, revoked or expired.', {
        fix: 'Create a new token with `cohort token create` or in the web UI.',
      });
    }
    if (token.kind === 'job' && token.runId !== null && !hasActiveTasks(catalog.db, token.runId)) {
      // The README promises it: a job credential ends with its run (the row may outlive it briefly).
      throw new ApiProblem(
        'UNAUTHENTICATED',
        `The job credential of run ${token.runId} ended with the run.`,
        {
          fix: 'Job credentials work only while their run has active tasks; use a user token outside jobs.',
        },
      );
    }
    principal =
      token.kind === 'user'
        ? { kind: 'user', via: 'token', user: token.user }
        : { kind: 'job', projectId: token.projectId, runId: token.runId };
  } else {
    const secret = sessionCookie(c);
    const user = secret === undefined ? undefined : sessionUser(catalog.db, secret, now());
    if (user === undefined) {
      throw new ApiProblem(
        'UNAUTHENTICATED',
        secret === undefined ? 'Not logged in.' : 'The session has expired.',
        {
          fix: 'Log in again.',
        },
      );
    }
    principal = { kind: 'user', via: 'session', user };
  }
  return principal;
}
