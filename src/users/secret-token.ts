import { createHash, randomBytes } from 'node:crypto';

/**
 * A new random secret with a readable prefix (`coh_` for API tokens, `cohs_` for sessions, `cohj_` for
 * job credentials), 32 random bytes. High-entropy secrets need no slow hash: the database keeps their
 * SHA-256 ({@link secretHash}) and lookups by hash are exact.
 */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** The SHA-256 (hex) a secret is stored and looked up by. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
