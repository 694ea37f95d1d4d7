/**
 * Per-project roles, declared once and ordered: each includes the rights of those before it. Reused by
 * the SQL CHECK constraint (migration 3), the API schemas and the rights check.
 * - read: browse the catalog, batches, the grid and logs
 * - run: also tag and add files, save batches, run them and act on tasks
 * - admin: also grant and revoke roles in the project
 */
export const PROJECT_ROLES = ['read', 'run', 'admin'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

/** Whether `held` includes the rights of `needed` (`admin` includes `run`, which includes `read`). */
export function roleIncludes(held: ProjectRole, needed: ProjectRole): boolean {
  return PROJECT_ROLES.indexOf(held) >= PROJECT_ROLES.indexOf(needed);
}

/**
 * What a request wants to do in a project, and the role it needs. Job credentials (the token a running
 * task gets) may do only the actions listed in {@link JOB_ACTIONS}, and only in their own project.
 */
export const PROJECT_ACTIONS = {
  read: 'read',
  tag: 'run',
  addFiles: 'run',
  editBatches: 'run',
  runBatches: 'run',
  actOnTasks: 'run',
  rescan: 'run',
  manageQueues: 'admin',
  manageRoles: 'admin',
} as const satisfies Readonly<Record<string, ProjectRole>>;
export type ProjectAction = keyof typeof PROJECT_ACTIONS;

/** A running job may read its project, tag in it and register the files it wrote; nothing else. */
export const JOB_ACTIONS: readonly ProjectAction[] = ['read', 'tag', 'addFiles'];
