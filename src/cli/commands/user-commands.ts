import { randomBytes } from 'node:crypto';
import { findProject } from '../../catalog/project-store.js';
import { CohortError, invalidInput, notFound } from '../../errors/cohort-error.js';
import { createUserToken, DEFAULT_TOKEN_DAYS, revokeAllUserTokens } from '../../users/api-tokens.js';
import { PROJECT_ROLES, type ProjectRole } from '../../users/project-roles.js';
import { createUser, findUser, grantRole, listUsers, setPassword } from '../../users/user-store.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { formatTable } from '../format-table.js';
import { readSecret } from './read-secret.js';

export const userAddCommand: CommandSpec = {
  name: 'user add',
  summary:
    'Add a user of the web server; the password is read from the terminal (or the first line of stdin). The first user is a server admin.',
  args: [{ name: 'NAME', description: 'User name (letters, digits, . _ @ -).', required: true }],
  options: {
    admin: { type: 'boolean', description: 'Make the user a server admin (manages users).' },
    generate: {
      type: 'boolean',
      description: 'Make up a strong password and print it once, instead of reading one.',
    },
    'if-missing': { type: 'boolean', description: 'Do nothing (and succeed) when the user exists.' },
  },
  examples: [
    'cohort user add ana --admin',
    'printf "%s\\n" "$PASSWORD" | cohort user add ben',
    'cohort user add demo --admin --generate --if-missing',
  ],
  async run(ctx) {
    notInsideJob(ctx);
    const name = ctx.args[0] ?? '';
    if (ctx.options['if-missing'] === true && findUser(ctx.catalog().db, name) !== undefined) {
      ctx.print(`User '${name}' exists (a new password: cohort user password ${name}).`);
      return;
    }
    const generated = ctx.options.generate === true;
    // 18 random bytes: 144 bits, as base64url 24 characters a person can still copy.
    const password = generated ? randomBytes(18).toString('base64url') : await readSecret('Password: ');
    const user = await createUser(ctx.catalog().db, { name, password, admin: ctx.options.admin === true });
    if (ctx.json) return ctx.printJson(generated ? { ...user, password } : user);
    ctx.print(`User '${user.name}' added${user.admin ? ' (server admin)' : ''}.`);
    if (generated) ctx.print(`Password (shown this once): ${password}`);
  },
};

export const userPasswordCommand: CommandSpec = {
  name: 'user password',
  summary:
    "Set a user's password (read like `user add`); their sessions end and their API tokens are revoked.",
  args: [{ name: 'NAME', description: 'User name.', required: true }],
  options: {
    'keep-tokens': {
      type: 'boolean',
      description: "Leave the user's API tokens working (by default a new password revokes them).",
    },
  },
  examples: ['cohort user password ana', 'cohort user password ana --keep-tokens'],
  async run(ctx) {
    notInsideJob(ctx);
    const db = ctx.catalog().db;
    const user = await setPassword(db, ctx.args[0] ?? '', await readSecret('New password: '));
    const revoked = ctx.options['keep-tokens'] === true ? 0 : revokeAllUserTokens(db, user.id);
    ctx.print(
      `Password of '${user.name}' changed; sessions ended${revoked > 0 ? `, ${revoked} API token(s) revoked` : ''}.`,
    );
  },
};

export const userListCommand: CommandSpec = {
  name: 'user list',
  summary: 'List the users of the web server.',
  args: [],
  options: {},
  examples: ['cohort user list', 'cohort user list --json'],
  run(ctx) {
    notInsideJob(ctx);
    const users = listUsers(ctx.catalog().db);
    if (ctx.json) return ctx.printJson(users);
    ctx.print(
      formatTable(
        ['USER', 'ADMIN'],
        users.map((u) => [u.name, u.admin ? 'yes' : '']),
      ),
    );
  },
};

export const userGrantCommand: CommandSpec = {
  name: 'user grant',
  summary: `Give a user a role in a project: ${PROJECT_ROLES.join(' < ')} (each includes the ones before).`,
  args: [
    { name: 'NAME', description: 'User name.', required: true },
    { name: 'PROJECT', description: 'Project name.', required: true },
    { name: 'ROLE', description: `One of ${PROJECT_ROLES.join(', ')}.`, required: true },
  ],
  options: {},
  examples: ['cohort user grant ben stroke run'],
  run(ctx) {
    notInsideJob(ctx);
    const [name = '', projectName = '', role = ''] = ctx.args;
    if (!(PROJECT_ROLES as readonly string[]).includes(role)) {
      throw invalidInput(`Unknown role '${role}'.`, `Use one of: ${PROJECT_ROLES.join(', ')}.`);
    }
    const db = ctx.catalog().db;
    const user = userNamed(ctx, name);
    const project = findProject(db, projectName);
    grantRole(db, user.id, project.id, role as ProjectRole);
    ctx.print(`'${user.name}' now has the role '${role}' in project '${project.name}'.`);
  },
};

export const tokenCreateCommand: CommandSpec = {
  name: 'token create',
  summary: 'Create an API token for a user (for `Authorization: Bearer ...`); it is printed once.',
  args: [],
  options: {
    user: { type: 'string', value: 'NAME', description: 'The user (default: the only one).' },
    name: { type: 'string', value: 'LABEL', description: 'What the token is for (default "cli").' },
    days: {
      type: 'integer',
      min: 1,
      default: DEFAULT_TOKEN_DAYS,
      value: 'N',
      description: 'Lifetime in days.',
    },
  },
  examples: ['cohort token create --user ana --name laptop'],
  run(ctx) {
    notInsideJob(ctx);
    const db = ctx.catalog().db;
    const users = listUsers(db);
    const name = typeof ctx.options.user === 'string' ? ctx.options.user : undefined;
    if (name === undefined && users.length !== 1) {
      throw invalidInput('Which user is the token for?', 'Pass --user NAME.');
    }
    const user = name === undefined ? users[0] : userNamed(ctx, name);
    if (user === undefined) throw notFound('No user yet.', 'Add one with `cohort user add NAME`.');
    const days = ctx.options.days as number;
    const token = createUserToken(
      db,
      user.id,
      typeof ctx.options.name === 'string' ? ctx.options.name : 'cli',
      {
        ...(days === undefined ? {} : { days }),
      },
    );
    if (ctx.json) return ctx.printJson(token);
    ctx.print(token.token);
  },
};

function userNamed(ctx: CommandContext, name: string): NonNullable<ReturnType<typeof findUser>> {
  const user = findUser(ctx.catalog().db, name);
  if (user === undefined) throw notFound(`No user '${name}'.`, 'List users with `cohort user list`.');
  return user;
}

/** Users and tokens reach beyond one project: a running job's CLI, pinned to its project, may not touch them. */
function notInsideJob(ctx: CommandContext): void {
  if (ctx.config.jobProject === undefined) return;
  throw new CohortError('INVALID_INPUT', 'Users and tokens cannot be managed from inside a job.', {
    hint: 'Run this command outside of a batch job.',
  });
}
