import { z } from 'zod';
import { LAYOUT_KINDS } from '../catalog/layout/layout.js';
import type { IndexResult } from '../catalog/indexer/index-project.js';
import { EXECUTOR_KINDS } from '../executors/executor-kinds.js';
import type { Queue } from '../queues/queue-store.js';

// ---- projects: create from a folder (server admins), rescan (run role) ----

/** POST /api/projects (server admin): register a folder as a project and index it. */
export const createProjectBody = z.object({
  name: z.string().min(1),
  root: z.string().min(1),
  layout: z.enum(['auto', ...LAYOUT_KINDS]).default('auto'),
});
/** POST /api/projects and POST /api/projects/:project/rescan answer the indexer's result. */
export type IndexResponse = IndexResult;

// ---- queues ----

/** GET /api/projects/:project/queues: the queues the project sees and its default. */
export interface QueuesResponse {
  readonly default: string;
  readonly queues: readonly Queue[];
}
const count = z.number().int().min(1).optional();
/** PUT /api/projects/:project/queues/:name (project admin; `global` needs a server admin). */
export const saveQueueBody = z.object({
  engine: z.enum(EXECUTOR_KINDS),
  target: z.string().min(1).optional(),
  defaults: z
    .object({ cpus: count, memoryMB: count, timeMinutes: count, gpus: z.number().int().min(0).optional() })
    .strict()
    .default({}),
  schedulerArgs: z.array(z.string()).default([]),
  global: z.boolean().default(false),
});
/** PUT /api/projects/:project/default-queue (project admin). */
export const defaultQueueBody = z.object({ name: z.string().min(1) });
