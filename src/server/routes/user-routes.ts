import { Hono } from 'hono';
import { notFound } from '../../errors/cohort-error.js';
import {
  createUser,
  findUser,
  grantRole,
  listUsers,
  revokeRole,
  rolesInProject,
} from '../../users/user-store.js';
import { createUserBody, grantRoleBody, type RoleEntry, type UserInfo } from '../api-types.js';
import { authorizeProject, requireServerAdmin } from '../auth/rights.js';
import { readBody } from '../read-request.js';
import type { AppEnv } from '../server-context.js';

/** /api/users (server admins) and /api/projects/:project/roles (project admins). */
export function userRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/users', (c) => {
    requireServerAdmin(c);
    return c.json(listUsers(c.var.ctx.catalog.db) satisfies UserInfo[]);
  });
  app.post('/users', async (c) => {
    requireServerAdmin(c);
    const body = await readBody(c, createUserBody);
    return c.json((await createUser(c.var.ctx.catalog.db, body)) satisfies UserInfo, 201);
  });

  app.get('/projects/:project/roles', (c) => {
    const project = authorizeProject(c, 'manageRoles');
    return c.json(rolesInProject(c.var.ctx.catalog.db, project.id) satisfies RoleEntry[]);
  });
  app.put('/projects/:project/roles/:user', async (c) => {
    const project = authorizeProject(c, 'manageRoles');
    const { role } = await readBody(c, grantRoleBody);
    const db = c.var.ctx.catalog.db;
    const user = findUser(db, c.req.param('user'));
    if (user === undefined) throw notFound(`No user '${c.req.param('user')}'.`);
    grantRole(db, user.id, project.id, role);
    return c.json({ user: user.name, role } satisfies RoleEntry);
  });
  app.delete('/projects/:project/roles/:user', (c) => {
    const project = authorizeProject(c, 'manageRoles');
    const db = c.var.ctx.catalog.db;
    const user = findUser(db, c.req.param('user'));
    if (user === undefined || !revokeRole(db, user.id, project.id)) {
      throw notFound(`User '${c.req.param('user')}' has no role in project '${project.name}'.`);
    }
    return c.json({ revoked: true });
  });
  return app;
}
