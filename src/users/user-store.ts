import type { Db } from '../db/open-database.js';
import { CohortError, invalidInput, notFound } from '../errors/cohort-error.js';
import { hashPassword, type PasswordCost } from './passwords.js';
import { PROJECT_ROLES, type ProjectRole } from './project-roles.js';

/** A user as the server and the CLI see it (never the password hash). */
export interface User {
  readonly id: number;
  readonly name: string;
  /** Server-wide admin: manages users and has every right in every project. */
  readonly admin: boolean;
}

interface UserRow {
  readonly id: number;
  readonly name: string;
  readonly is_admin: number;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
/** Shorter passwords are refused; length matters more than character classes. */
export const MIN_PASSWORD_LENGTH = 8;

/**
 * Creates a user with a hashed password. The first user of a catalog becomes a server admin, so a new
 * installation can be bootstrapped (`cohort user add NAME`) without editing the database.
 *
 * @throws CohortError INVALID_INPUT for a bad name or a short password; CONFLICT when the name is taken.
 */
export async function createUser(
  db: Db,
  input: {
    readonly name: string;
    readonly password: string;
    readonly admin?: boolean;
    /** scrypt cost (default DEFAULT_PASSWORD_COST); tests pass a cheap one. */
    readonly cost?: PasswordCost;
  },
): Promise<User> {
  if (!NAME_PATTERN.test(input.name)) {
    throw invalidInput(
      `Invalid user name '${input.name}'.`,
      'Use 1-64 letters, digits, . _ @ -, starting with a letter or digit.',
    );
  }
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw invalidInput(`The password is too short.`, `Give at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  const hash = await hashPassword(input.password, input.cost);
  return db
    .transaction((): User => {
      if (db.prepare('SELECT 1 FROM users WHERE name = ?').get(input.name) !== undefined) {
        throw new CohortError('CONFLICT', `A user named '${input.name}' already exists.`, {
          hint: 'Choose another name.',
        });
      }
      const first = db.prepare('SELECT count(*) FROM users').pluck().get() === 0;
      const id = db
        .prepare('INSERT INTO users (name, password_hash, is_admin, created_at) VALUES (?, ?, ?, ?)')
        .run(input.name, hash, first || input.admin === true ? 1 : 0, Date.now()).lastInsertRowid;
      return getUser(db, Number(id));
    })
    .immediate();
}

/**
 * Sets a user's password (hashing it) and ends their sessions; returns the user. Their API tokens are
 * the caller's to revoke (`revokeAllUserTokens`), as `cohort user password` does unless told not to.
 *
 * @throws CohortError NOT_FOUND, INVALID_INPUT.
 */
export async function setPassword(db: Db, name: string, password: string): Promise<User> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw invalidInput(`The password is too short.`, `Give at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  const user = findUser(db, name);
  if (user === undefined) throw notFound(`No user '${name}'.`);
  const hash = await hashPassword(password);
  db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(hash, user.id);
  // A new password ends every session opened with the old one.
  db.prepare('DELETE FROM sessions WHERE user_id = ?').run(user.id);
  return user;
}

/** The user with this id. @throws CohortError NOT_FOUND. */
export function getUser(db: Db, id: number): User {
  const row = db.prepare('SELECT id, name, is_admin FROM users WHERE id = ?').get(id) as UserRow | undefined;
  if (row === undefined) throw notFound(`No user with id ${id}.`);
  return toUser(row);
}

/** The user with this name, or undefined. */
export function findUser(db: Db, name: string): User | undefined {
  const row = db.prepare('SELECT id, name, is_admin FROM users WHERE name = ?').get(name) as
    UserRow | undefined;
  return row === undefined ? undefined : toUser(row);
}

/** The stored password hash of a user, for login only. */
export function passwordHashOf(db: Db, userId: number): string | undefined {
  return db.prepare('SELECT password_hash FROM users WHERE id = ?').pluck().get(userId) as string | undefined;
}

/** Every user, by name. */
export function listUsers(db: Db): User[] {
  return (db.prepare('SELECT id, name, is_admin FROM users ORDER BY name').all() as UserRow[]).map(toUser);
}

/** Gives a user a role in a project (replacing the one they had). */
export function grantRole(db: Db, userId: number, projectId: number, role: ProjectRole): void {
  if (!PROJECT_ROLES.includes(role)) {
    throw invalidInput(`Unknown role '${String(role)}'.`, `Use one of: ${PROJECT_ROLES.join(', ')}.`);
  }
  db.prepare(
    `INSERT INTO project_roles (user_id, project_id, role) VALUES (?, ?, ?)
     ON CONFLICT (user_id, project_id) DO UPDATE SET role = excluded.role`,
  ).run(userId, projectId, role);
}

/** Takes a user's role in a project away; returns whether they had one. */
export function revokeRole(db: Db, userId: number, projectId: number): boolean {
  return (
    db.prepare('DELETE FROM project_roles WHERE user_id = ? AND project_id = ?').run(userId, projectId)
      .changes > 0
  );
}

/** A user's roles, by project id. */
export function rolesOfUser(db: Db, userId: number): Map<number, ProjectRole> {
  const rows = db
    .prepare('SELECT project_id, role FROM project_roles WHERE user_id = ?')
    .all(userId) as Array<{
    project_id: number;
    role: ProjectRole;
  }>;
  return new Map(rows.map((r) => [r.project_id, r.role]));
}

/** Who holds which role in a project, by user name. */
export function rolesInProject(db: Db, projectId: number): Array<{ user: string; role: ProjectRole }> {
  return db
    .prepare(
      `SELECT u.name AS user, r.role FROM project_roles r JOIN users u ON u.id = r.user_id
       WHERE r.project_id = ? ORDER BY u.name`,
    )
    .all(projectId) as Array<{ user: string; role: ProjectRole }>;
}

function toUser(row: UserRow): User {
  return { id: row.id, name: row.name, admin: row.is_admin === 1 };
}
