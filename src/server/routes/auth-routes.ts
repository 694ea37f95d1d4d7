import { Hono } from 'hono';
import { createUserToken, listUserTokens, revokeUserToken } from '../../users/api-tokens.js';
import { dummyHash, verifyPassword } from '../../users/passwords.js';
import { createSession, deleteSession } from '../../users/sessions.js';
import { findUser, passwordHashOf } from '../../users/user-store.js';
import { notFound } from '../../errors/cohort-error.js';
import { ApiProblem } from '../api-problem.js';
import {
  createTokenBody,
  loginBody,
  type CreatedToken,
  type MeResponse,
  type TokenInfo,
} from '../api-types.js';
import { authenticate } from '../auth/authenticate.js';
import { clientAddress } from '../auth/client-address.js';
import { readableProjects, requireUser } from '../auth/rights.js';
import { clearSessionCookie, sessionCookie, setSessionCookie } from '../auth/session-cookie.js';
import { idParam, readBody } from '../read-request.js';
import type { AppEnv } from '../server-context.js';

/** /api/auth: login (public), logout, me, and the caller's API tokens. */
export function authRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/login', async (c) => {
    const { catalog, limiter, now } = c.var.ctx;
    const { name, password } = await readBody(c, loginBody);
    const address = clientAddress(c);
    limiter.check(name, address);
    const user = findUser(catalog.db, name);
    const hash = user === undefined ? undefined : passwordHashOf(catalog.db, user.id);
    // An unknown name is checked against a dummy hash: same time, same answer, no user enumeration.
    const ok = await verifyPassword(password, hash ?? (await dummyHash()));
    if (user === undefined || hash === undefined || !ok) {
      limiter.fail(name, address);
      throw new ApiProblem('UNAUTHENTICATED', 'Wrong user name or password.', {
        fix: 'Check both and try again.',
      });
    }
    limiter.succeed(name, address);
    setSessionCookie(c, createSession(catalog.db, user.id, now()));
    const projects = readableProjects(catalog.db, { kind: 'user', via: 'session', user });
    return c.json({
      user,
      via: 'session',
      projects: projects.map((p) => ({ id: p.id, name: p.name, layout: p.layout, role: p.role })),
    } satisfies MeResponse);
  });

  app.post('/logout', (c) => {
    const secret = sessionCookie(c);
    if (secret !== undefined) deleteSession(c.var.ctx.catalog.db, secret);
    clearSessionCookie(c);
    return c.json({ loggedOut: true });
  });

  app.use('/me', authenticate);
  app.get('/me', (c) => {
    const principal = c.var.principal;
    const projects = readableProjects(c.var.ctx.catalog.db, principal).map((p) => ({
      id: p.id,
      name: p.name,
      layout: p.layout,
      role: p.role,
    }));
    if (principal.kind === 'job') {
      return c.json({
        user: { id: 0, name: `job of run ${principal.runId ?? '?'}`, admin: false },
        via: 'job',
        projects,
      } satisfies MeResponse);
    }
    return c.json({ user: principal.user, via: principal.via, projects } satisfies MeResponse);
  });

  app.use('/tokens/*', authenticate);
  app.use('/tokens', authenticate);
  app.get('/tokens', (c) =>
    c.json(listUserTokens(c.var.ctx.catalog.db, requireUser(c).id) satisfies TokenInfo[]),
  );
  app.post('/tokens', async (c) => {
    const user = requireUser(c);
    const body = await readBody(c, createTokenBody);
    const created = createUserToken(c.var.ctx.catalog.db, user.id, body.name, {
      ...(body.expiresInDays === undefined ? {} : { days: body.expiresInDays }),
      now: c.var.ctx.now(),
    });
    return c.json(created satisfies CreatedToken, 201);
  });
  app.delete('/tokens/:id', (c) => {
    const user = requireUser(c);
    if (!revokeUserToken(c.var.ctx.catalog.db, user.id, idParam(c, 'id')))
      throw notFound('No such token of yours.');
    return c.json({ revoked: true });
  });
  return app;
}
