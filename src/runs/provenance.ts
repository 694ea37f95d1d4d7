import { z } from 'zod';
import { EXECUTOR_KINDS } from '../executors/executor-kinds.js';
import { ON_ERROR, type JobDefinition, type OnError } from '../jobs/job-definition.js';
import { isolationSchema } from '../jobs/isolation.js';
import { jobSchema, resourcesSchema } from '../jobs/job-schema.js';
import type { Placement } from '../queues/place-job.js';
import { DEFAULT_PYTHON } from '../jobs/python-command.js';
import { CohortError } from '../errors/cohort-error.js';

/** A registered output of a task: a file (OUT) or a folder (PATHOUT), with the tags it gets. */
export interface TaskOutput {
  readonly path: string;
  readonly kind: 'OUT' | 'PATHOUT';
  readonly tags: readonly string[];
}

/**
 * What a task stores as its provenance: the job, its resolved arguments and the command built from
 * them. Written once when the run is created; read (and validated) once per task by the store.
 */
export interface TaskProvenance {
  readonly job: JobDefinition;
  readonly arguments: Readonly<Record<string, unknown>>;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly onError: OnError;
  readonly tagOnSuccess?: string;
  readonly outputs: readonly TaskOutput[];
  readonly studyRef?: string;
  /** Queue, engine and resources of the task; absent in runs made before queues existed (local). */
  readonly placement?: Placement;
  /** Set on a task that runs a job's notebook (`cohort debug`) instead of the job itself. */
  readonly notebook?: NotebookTaskInfo;
}

/** What a notebook task is: a server to debug in, or a headless run of the notebook. */
export interface NotebookTaskInfo {
  readonly mode: 'server' | 'execute';
  /** The notebook, in the task's folder. */
  readonly path: string;
  /** The task the notebook was made from; absent when made from a batch job before any run. */
  readonly sourceTask?: number;
  /** Seconds without activity after which the server ends itself (server mode). */
  readonly idleSeconds?: number;
  /** The batch (by name) and job the notebook's job cell is saved back into (`cohort debug save`). */
  readonly batchName?: string;
  readonly jobIndex?: number;
}

const provenanceSchema = z.object({
  job: jobSchema,
  arguments: z.record(z.unknown()),
  argv: z.array(z.string()).min(1),
  env: z.record(z.string()),
  cwd: z.string(),
  onError: z.enum(ON_ERROR),
  tagOnSuccess: z.string().optional(),
  outputs: z.array(
    z.object({ path: z.string(), kind: z.enum(['OUT', 'PATHOUT']), tags: z.array(z.string()) }),
  ),
  studyRef: z.string().optional(),
  placement: z
    .object({
      queue: z.string(),
      engine: z.enum(EXECUTOR_KINDS),
      resources: resourcesSchema,
      schedulerArgs: z.array(z.string()),
      // Runs made before queues named their interpreter ran the default one.
      python: z.string().default(DEFAULT_PYTHON),
      isolation: isolationSchema.optional(),
    })
    .optional(),
  notebook: z
    .object({
      mode: z.enum(['server', 'execute']),
      path: z.string(),
      sourceTask: z.number().int().optional(),
      idleSeconds: z.number().int().positive().optional(),
      batchName: z.string().optional(),
      jobIndex: z.number().int().nonnegative().optional(),
    })
    .optional(),
});

/**
 * Parses a task's stored provenance. A record that does not parse was written by something other than
 * this version of Cohort (or damaged): an error that names the task, never a cast that fails later.
 */
export function parseProvenance(taskId: number, text: string): TaskProvenance {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw damaged(taskId, 'it is not JSON', cause);
  }
  const parsed = provenanceSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw damaged(taskId, `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`, parsed.error);
  }
  return parsed.data;
}

function damaged(taskId: number, why: string, cause: unknown): CohortError {
  return new CohortError(
    'DAMAGED_RECORD',
    `The stored provenance of task ${taskId} cannot be read (${why}).`,
    {
      hint: 'The task was made by another version of Cohort or its row was edited; rerun its item.',
      context: { taskId },
      cause,
    },
  );
}
