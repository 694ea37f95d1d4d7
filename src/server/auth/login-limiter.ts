import { ApiProblem } from '../api-problem.js';

/** Failed logins allowed per user name and address before they are refused for a while. */
export const MAX_LOGIN_FAILURES = 5;
/** Failures older than this are forgotten; also how long a locked pair waits after its last failure. */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
// The map is pruned when it grows past this, so a flood of made-up names cannot exhaust memory.
const MAX_ENTRIES = 10_000;

/**
 * Rate limiting of logins per (user name, client address): after MAX_LOGIN_FAILURES failures within
 * LOGIN_WINDOW_MS, logins of that pair are refused with 429 and Retry-After until the window has passed
 * since the last failure, even with the right password. Kept in memory: one server process owns logins.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** @throws ApiProblem RATE_LIMITED while the pair is locked. */
  check(name: string, address: string): void {
    const recent = this.recent(key(name, address));
    if (recent.length < MAX_LOGIN_FAILURES) return;
    const last = recent[recent.length - 1] ?? this.now();
    const retryAfter = Math.max(1, Math.ceil((last + LOGIN_WINDOW_MS - this.now()) / 1000));
    throw new ApiProblem('RATE_LIMITED', 'Too many failed logins for this user from this address.', {
      fix: `Wait ${retryAfter} s, then try again.`,
      retryAfter,
    });
  }

  fail(name: string, address: string): void {
    if (this.failures.size >= MAX_ENTRIES) this.prune();
    const k = key(name, address);
    this.failures.set(k, [...this.recent(k), this.now()]);
  }

  succeed(name: string, address: string): void {
    this.failures.delete(key(name, address));
  }

  private recent(k: string): number[] {
    const since = this.now() - LOGIN_WINDOW_MS;
    return (this.failures.get(k) ?? []).filter((t) => t > since);
  }

  private prune(): void {
    for (const k of [...this.failures.keys()]) if (this.recent(k).length === 0) this.failures.delete(k);
    // Still full: drop the oldest entries (a Map iterates in insertion order).
    for (const k of this.failures.keys()) {
      if (this.failures.size < MAX_ENTRIES / 2) break;
      this.failures.delete(k);
    }
  }
}

function key(name: string, address: string): string {
  return `${name.toLowerCase()}\u0000${address}`;
}
