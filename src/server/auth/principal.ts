import type { User } from '../../users/user-store.js';

/**
 * Who a request speaks for: a user (by browser session or API token), or a running job (its job
 * credential), which is limited to one project and a few actions (JOB_ACTIONS).
 */
export type Principal =
  | { readonly kind: 'user'; readonly via: 'session' | 'token'; readonly user: User }
  | { readonly kind: 'job'; readonly projectId: number; readonly runId: number | null };
