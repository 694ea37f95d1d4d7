import type { Context } from 'hono';
import { listProjects, type Project } from '../../catalog/project-store.js';
import type { Db } from '../../db/open-database.js';
import { notFound } from '../../errors/cohort-error.js';
import {
  JOB_ACTIONS,
  PROJECT_ACTIONS,
  roleIncludes,
  type ProjectAction,
  type ProjectRole,
} from '../../users/project-roles.js';
import { rolesOfUser, type User } from '../../users/user-store.js';
import { ApiProblem } from '../api-problem.js';
import type { AppEnv } from '../server-context.js';
import type { Principal } from './principal.js';

/** A project with the role the caller holds in it. */
export type ReadableProject = Project & { readonly role: ProjectRole };

/**
 * The projects a caller may read, with its role in each: a server admin holds `admin` everywhere, a job
 * credential `run` in its own project only (JOB_ACTIONS narrows what it may do there).
 */
export function readableProjects(db: Db, principal: Principal): ReadableProject[] {
  const projects = listProjects(db);
  if (principal.kind === 'job') {
    return projects.filter((p) => p.id === principal.projectId).map((p) => ({ ...p, role: 'run' as const }));
  }
  if (principal.user.admin) return projects.map((p) => ({ ...p, role: 'admin' as const }));
  const roles = rolesOfUser(db, principal.user.id);
  return projects.flatMap((p) => {
    const role = roles.get(p.id);
    return role === undefined ? [] : [{ ...p, role }];
  });
}

/**
 * The rights check every project route goes through: the project named in the path (`:project`), if
 * the caller may do `action` there. A project the caller may not read answers 404 exactly like one that
 * does not exist (no leak of names); one it may read but not act in answers 403.
 */
export function authorizeProject(c: Context<AppEnv>, action: ProjectAction): ReadableProject {
  const name = c.req.param('project') ?? '';
  const principal = c.var.principal;
  const project = readableProjects(c.var.ctx.catalog.db, principal).find((p) => p.name === name);
  if (project === undefined)
    throw notFound(`No project '${name}'.`, 'GET /api/projects lists the projects you may read.');
  const needed = PROJECT_ACTIONS[action];
  if (principal.kind === 'job' && !JOB_ACTIONS.includes(action)) {
    throw new ApiProblem('FORBIDDEN', `A job's credential may not ${describe(action)}.`, {
      fix: 'Jobs may only read, tag and add files in their own project.',
    });
  }
  if (!roleIncludes(project.role, needed)) {
    throw new ApiProblem(
      'FORBIDDEN',
      `Your role '${project.role}' in project '${name}' may not ${describe(action)}.`,
      {
        fix: `Ask a project admin for the '${needed}' role.`,
      },
    );
  }
  return project;
}

/** The calling user (not a job credential). @throws ApiProblem FORBIDDEN for a job. */
export function requireUser(c: Context<AppEnv>): User {
  const principal = c.var.principal;
  if (principal.kind === 'job') throw new ApiProblem('FORBIDDEN', 'A job credential cannot do this.');
  return principal.user;
}

/** The calling user if a server admin. @throws ApiProblem FORBIDDEN. */
export function requireServerAdmin(c: Context<AppEnv>): User {
  const user = requireUser(c);
  if (!user.admin) throw new ApiProblem('FORBIDDEN', 'Only a server admin may manage users.');
  return user;
}

function describe(action: ProjectAction): string {
  switch (action) {
    case 'read':
      return 'read this project';
    case 'tag':
      return 'change tags';
    case 'addFiles':
      return 'add files';
    case 'editBatches':
      return 'change saved batches';
    case 'runBatches':
      return 'run batches';
    case 'actOnTasks':
      return 'act on tasks';
    case 'manageRoles':
      return 'manage roles';
    case 'rescan':
      return 'rescan the project';
    case 'manageQueues':
      return 'manage queues';
  }
}
