/** The engines a task can run on, declared once: the SQL CHECK of `queues`, the CLI and the API use it. */
export const EXECUTOR_KINDS = ['local', 'slurm', 'sge'] as const;
export type ExecutorKind = (typeof EXECUTOR_KINDS)[number];
