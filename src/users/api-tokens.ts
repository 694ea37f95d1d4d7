import type { Db } from '../db/open-database.js';
import { invalidInput } from '../errors/cohort-error.js';
import { newSecret, secretHash } from './secret-token.js';
import { getUser, type User } from './user-store.js';

/** Default lifetime of a user's API token. */
export const DEFAULT_TOKEN_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Default lifetime of a job credential: longer than any sane job (a model training for days), short enough that a leaked one dies. */
export const JOB_TOKEN_DAYS = 30;
// last_used_at is informative; writing it on every request would turn each read into a write.
const LAST_USED_RESOLUTION_MS = 60_000;

/** A token as listed (never its secret). */
export interface TokenInfo {
  readonly id: number;
  readonly name: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly lastUsedAt: number | null;
}

/** Who a bearer token speaks for: a user, or a running job limited to one project (and run). */
export type TokenPrincipal =
  | { readonly kind: 'user'; readonly tokenId: number; readonly user: User }
  | {
      readonly kind: 'job';
      readonly tokenId: number;
      readonly projectId: number;
      readonly runId: number | null;
    };

interface TokenRow {
  readonly id: number;
  readonly kind: 'user' | 'job';
  readonly user_id: number | null;
  readonly project_id: number | null;
  readonly run_id: number | null;
  readonly name: string;
  readonly created_at: number;
  readonly expires_at: number | null;
  readonly last_used_at: number | null;
}

/**
 * A new API token of a user for the CLI (`Authorization: Bearer coh_...`). The secret is returned once.
 *
 * @throws CohortError INVALID_INPUT for an empty name or a lifetime outside 1..3650 days.
 */
export function createUserToken(
  db: Db,
  userId: number,
  name: string,
  options: { readonly days?: number; readonly now?: number } = {},
): TokenInfo & { readonly token: string } {
  const days = options.days ?? DEFAULT_TOKEN_DAYS;
  if (name.trim() === '' || !Number.isInteger(days) || days < 1 || days > 3650) {
    throw invalidInput(
      'A token needs a name and a lifetime of 1 to 3650 days.',
      'e.g. name "laptop", 90 days.',
    );
  }
  const now = options.now ?? Date.now();
  return insert(db, {
    kind: 'user',
    userId,
    projectId: null,
    runId: null,
    name,
    now,
    expiresAt: now + days * DAY_MS,
  });
}

/**
 * A job credential: a token a running task can use to read, tag and add files in one project (the run's
 * own), nothing else; it ends with its run (the row is deleted with the run) or at `expiresAt`
 * (default JOB_TOKEN_DAYS). The engine can put it into a task's environment (e.g. `COHORT_TOKEN`).
 */
export function createJobToken(
  db: Db,
  input: {
    readonly projectId: number;
    readonly runId?: number;
    readonly expiresAt?: number;
    readonly now?: number;
  },
): { readonly id: number; readonly token: string } {
  const now = input.now ?? Date.now();
  const created = insert(db, {
    kind: 'job',
    userId: null,
    projectId: input.projectId,
    runId: input.runId ?? null,
    name: input.runId === undefined ? 'job' : `run ${input.runId}`,
    now,
    expiresAt: input.expiresAt ?? now + JOB_TOKEN_DAYS * DAY_MS,
  });
  return { id: created.id, token: created.token };
}

function insert(
  db: Db,
  t: {
    kind: 'user' | 'job';
    userId: number | null;
    projectId: number | null;
    runId: number | null;
    name: string;
    now: number;
    expiresAt: number | null;
  },
): TokenInfo & { readonly token: string } {
  const token = newSecret(t.kind === 'job' ? 'cohj_' : 'coh_');
  const id = Number(
    db
      .prepare(
        `INSERT INTO api_tokens (token_hash, kind, user_id, project_id, run_id, name, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(secretHash(token), t.kind, t.userId, t.projectId, t.runId, t.name, t.now, t.expiresAt)
      .lastInsertRowid,
  );
  return { id, name: t.name, createdAt: t.now, expiresAt: t.expiresAt, lastUsedAt: null, token };
}

/** A user's own tokens, newest first. */
export function listUserTokens(db: Db, userId: number): TokenInfo[] {
  const rows = db
    .prepare(`SELECT * FROM api_tokens WHERE kind = 'user' AND user_id = ? ORDER BY id DESC`)
    .all(userId) as TokenRow[];
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
  }));
}

/** Revokes one of a user's tokens; false when the user has no such token. */
export function revokeUserToken(db: Db, userId: number, tokenId: number): boolean {
  return (
    db.prepare(`DELETE FROM api_tokens WHERE id = ? AND kind = 'user' AND user_id = ?`).run(tokenId, userId)
      .changes > 0
  );
}

/**
 * Revokes every API token of a user (a password change that suspects a leak: a token made with the old
 * password must not outlive it). Returns how many were revoked.
 */
export function revokeAllUserTokens(db: Db, userId: number): number {
  return db.prepare(`DELETE FROM api_tokens WHERE kind = 'user' AND user_id = ?`).run(userId).changes;
}

/** Who a bearer secret speaks for, or undefined when it is unknown, revoked or expired. */
export function resolveToken(db: Db, secret: string, now = Date.now()): TokenPrincipal | undefined {
  const row = db.prepare('SELECT * FROM api_tokens WHERE token_hash = ?').get(secretHash(secret)) as
    TokenRow | undefined;
  if (row === undefined || (row.expires_at !== null && row.expires_at <= now)) return undefined;
  if (row.last_used_at === null || now - row.last_used_at > LAST_USED_RESOLUTION_MS) {
    db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, row.id);
  }
  if (row.kind === 'job') {
    return row.project_id === null
      ? undefined
      : { kind: 'job', tokenId: row.id, projectId: row.project_id, runId: row.run_id };
  }
  return row.user_id === null ? undefined : { kind: 'user', tokenId: row.id, user: getUser(db, row.user_id) };
}

/** Revokes the job credentials of a run (it ended); returns how many. */
export function revokeRunTokens(db: Db, runId: number): number {
  return db.prepare(`DELETE FROM api_tokens WHERE kind = 'job' AND run_id = ?`).run(runId).changes;
}
