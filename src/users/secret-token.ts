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

/** Secrets of every kind this module makes (their prefix, then base64url), wherever they appear. */
const SECRET_PATTERN = /\bcoh[sj]?_[A-Za-z0-9_-]{20,}/g;

/**
 * Text with every Cohort secret replaced by `[secret]`: what Cohort shows of a task (its error text,
 * its logs) may hold one, e.g. a job that prints its environment, or a shell's report of a killed
 * command line.
 */
export function redactSecrets(text: string): string {
  return text.replace(SECRET_PATTERN, '[secret]');
}
