import type { Db } from '../db/open-database.js';
import { newSecret, secretHash } from './secret-token.js';
import { getUser, type User } from './user-store.js';

/** How long a browser session lasts after login: a working day, so a forgotten browser closes itself. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Opens a session for a user; returns the secret for the cookie (the database keeps only its hash). */
export function createSession(db: Db, userId: number, now = Date.now(), ttlMs = SESSION_TTL_MS): string {
  const secret = newSecret('cohs_');
  // Expired sessions of anyone are dropped here, so the table does not grow without bound.
  db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now);
  db.prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(
    secretHash(secret),
    userId,
    now,
    now + ttlMs,
  );
  return secret;
}

/** The user of a live session, or undefined for an unknown or expired one (which is deleted). */
export function sessionUser(db: Db, secret: string, now = Date.now()): User | undefined {
  const hash = secretHash(secret);
  const row = db.prepare('SELECT user_id, expires_at FROM sessions WHERE token_hash = ?').get(hash) as
    { user_id: number; expires_at: number } | undefined;
  if (row === undefined) return undefined;
  if (row.expires_at <= now) {
    db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hash);
    return undefined;
  }
  return getUser(db, row.user_id);
}

/** Ends a session (logout). */
export function deleteSession(db: Db, secret: string): void {
  db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(secretHash(secret));
}
