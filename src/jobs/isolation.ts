import { z } from 'zod';

/**
 * How a job's command is fenced in, declared once (the job schema, the queue store and the CLI read it):
 * - none: as it is (the default)
 * - sandbox: bubblewrap (`bwrap`): the whole file system read-only, the job's output folders and its
 *   task folder writable, no network unless asked
 * - podman / apptainer: a container image, with the inputs mounted read-only and the output folders
 *   and the task folder read-write; nothing else of the host is visible
 */
export const ISOLATION_KINDS = ['none', 'sandbox', 'podman', 'apptainer'] as const;
export type IsolationKind = (typeof ISOLATION_KINDS)[number];

/**
 * A job's (or queue's) isolation; the job's own wins over its queue's. Example:
 * `{ kind: 'podman', image: 'localhost/fsl:6.0', network: false }`.
 */
export interface Isolation {
  readonly kind: IsolationKind;
  /** The container image: a podman image name, or an Apptainer image file (`.sif`). */
  readonly image?: string;
  /** Let the job reach the network. Default false: a network namespace of its own, without interfaces. */
  readonly network?: boolean;
  /**
   * Extra words for the container program before its subcommand, e.g. `['--runtime', 'runc']` on a
   * host whose cgroups crun refuses. Never passed through a shell.
   */
  readonly globalArgs?: readonly string[];
  /** Extra words after `run` (podman) or `exec` (apptainer), e.g. `['--ulimit', 'nofile=1024:1024']`. */
  readonly runArgs?: readonly string[];
}

/** The zod shape of {@link Isolation}: a container kind needs its image. */
export const isolationSchema = z
  .object({
    kind: z.enum(ISOLATION_KINDS),
    image: z.string().trim().min(1, 'is empty').optional(),
    network: z.boolean().optional(),
    globalArgs: z.array(z.string()).optional(),
    runArgs: z.array(z.string()).optional(),
  })
  .strict()
  .refine((i) => !(i.kind === 'podman' || i.kind === 'apptainer') || i.image !== undefined, {
    message: 'a container (podman, apptainer) needs its image: give "image"',
    path: ['image'],
  });
