import type { Db } from '../db/open-database.js';
import type { Project } from '../catalog/project-store.js';
import { loadBatch } from '../batches/batch-store.js';
import { findQueue } from '../queues/queue-store.js';
import { parseFilter } from '../selection/parse-filter.js';
import { addRule, type AutoRule } from './auto-store.js';
import { parseTrigger } from './auto-triggers.js';
import { batchKey } from './batch-key.js';

/** A rule as the CLI and the web page give it: the trigger as text (`new`, `tag:T`, `quiet:N`). */
export interface RuleInput {
  readonly name: string;
  readonly trigger: string;
  readonly batch: string;
  readonly filter?: string;
  readonly queue?: string;
  readonly chunk?: number;
  readonly order?: number;
  readonly skipExistingOutputs?: boolean;
  readonly includeExisting?: boolean;
  readonly owner: string;
}

/**
 * Checks a rule's batch, filter and queue now (a typo shows to whoever adds the rule, not later in its
 * log) and stores it. The one way rules are made, from the CLI and the API.
 */
export function createRule(db: Db, project: Project, input: RuleInput): AutoRule {
  const trigger = parseTrigger(input.trigger);
  loadBatch(db, project, batchKey(input.batch));
  const filter = input.filter ?? '';
  if (filter.trim() !== '') parseFilter(filter);
  if (input.queue !== undefined) findQueue(db, project, input.queue);
  return addRule(db, project, {
    name: input.name,
    trigger,
    filter,
    batch: input.batch,
    ...(input.queue === undefined ? {} : { queue: input.queue }),
    chunk: input.chunk ?? 0,
    position: input.order ?? 0,
    skipExistingOutputs: input.skipExistingOutputs ?? false,
    includeExisting: input.includeExisting ?? false,
    owner: input.owner,
  });
}
