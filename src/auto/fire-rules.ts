import { existsSync } from 'node:fs';
import type { Catalog } from '../catalog/catalog.js';
import type { Project } from '../catalog/project-store.js';
import type { BatchResolution, ItemResolution } from '../batches/batch-resolution.js';
import { loadBatchScope } from '../batches/load-batch-scope.js';
import { resolveBatch } from '../batches/resolve-batch.js';
import { loadBatch } from '../batches/batch-store.js';
import { defaultLibraryDirs, loadLibrary } from '../jobs/library.js';
import { createRun, type RunDriver } from '../runs/index.js';
import { parseFilter } from '../selection/parse-filter.js';
import { runFilter } from '../selection/run-filter.js';
import {
  addLogEntry,
  claimItems,
  listRules,
  setClaimRun,
  startedHashes,
  triggeredStudyIds,
  type AutoRule,
} from './auto-store.js';
import { batchKey } from './batch-key.js';
import { provenanceHash } from './provenance-hash.js';

/** What one rule did in one firing. */
export interface RuleFiring {
  readonly rule: string;
  /** Runs started, with the items of each. */
  readonly runs: ReadonlyArray<{ readonly runId: number; readonly items: readonly string[] }>;
  /** Items left out: computed (or started) before, outputs there, or claimed by another process. */
  readonly skipped: number;
  /** Why the rule could not fire (its batch was deleted, its filter is wrong...). */
  readonly error?: string;
}

export interface FireOptions {
  /** What fired the rules, for their log: `import-dicom`, `rescan`, `serve`... */
  readonly source: string;
  /** Who drives the runs: a background runner (CLI) or the server's supervisor. */
  readonly driver: RunDriver;
  /** The clock for `quiet` triggers. Default Date.now(). */
  readonly now?: number;
}

/**
 * Fires every rule of the project in order: each takes the studies its trigger sees and its filter
 * passes, resolves its batch over them, leaves out those whose provenance hash was started before (and,
 * if asked, those whose outputs exist), claims the rest by hash and starts them in runs of its chunk
 * size, named `AUTOEXEC:<rule>`. A rule that fails is logged and the next one still fires; a firing
 * that starts nothing leaves no log line (the server fires every few seconds).
 */
export async function fireRules(
  catalog: Catalog,
  project: Project,
  options: FireOptions,
): Promise<RuleFiring[]> {
  const results: RuleFiring[] = [];
  const library = loadLibrary(defaultLibraryDirs(catalog.config.libraryDir));
  for (const rule of listRules(catalog.db, project)) {
    try {
      results.push(await fireRule(catalog, project, rule, options, library));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      addLogEntry(catalog.db, project, rule, {
        source: options.source,
        runId: null,
        items: 0,
        skipped: 0,
        message,
      });
      results.push({ rule: rule.name, runs: [], skipped: 0, error: message });
    }
  }
  return results;
}

async function fireRule(
  catalog: Catalog,
  project: Project,
  rule: AutoRule,
  options: FireOptions,
  library: ReturnType<typeof loadLibrary>,
): Promise<RuleFiring> {
  const { db } = catalog;
  const triggered = triggeredStudyIds(db, project, rule, options.now ?? Date.now());
  if (triggered.size === 0) return { rule: rule.name, runs: [], skipped: 0 };
  const passing =
    rule.filter.trim() === ''
      ? loadBatchScope(db, project, 'all').selected
      : runFilter(db, project, parseFilter(rule.filter));
  const studies = passing.filter((s) => triggered.has(s.studyId));
  if (studies.length === 0) return { rule: rule.name, runs: [], skipped: 0 };
  const batch = loadBatch(db, project, batchKey(rule.batch));
  const resolution = resolveBatch(db, project, batch, studies);
  const ready = resolution.items
    .filter((i) => i.runnable)
    .map((item) => ({ item, hash: provenanceHash(batch, item, library) }));
  const known = startedHashes(
    db,
    project,
    ready.map((r) => r.hash),
  );
  const todo = ready.filter((r) => !known.has(r.hash) && !(rule.skipExistingOutputs && outputsExist(r.item)));
  let skipped = ready.length - todo.length;
  const runs: Array<{ runId: number; items: string[] }> = [];
  const size = rule.chunk > 0 ? rule.chunk : Math.max(1, todo.length);
  for (let at = 0; at < todo.length; at += size) {
    const chunk = todo.slice(at, at + size);
    const started = await startChunk(catalog, project, rule, options, batch, resolution, chunk);
    skipped += chunk.length - started.items.length;
    if (started.runId !== null) runs.push({ runId: started.runId, items: started.items });
  }
  return { rule: rule.name, runs, skipped };
}

/**
 * Claims a chunk's hashes and creates its run in one transaction, so two processes firing at once never
 * start the same item twice; then hands the run to its driver.
 */
async function startChunk(
  catalog: Catalog,
  project: Project,
  rule: AutoRule,
  options: FireOptions,
  batch: ReturnType<typeof loadBatch>,
  resolution: BatchResolution,
  chunk: ReadonlyArray<{ readonly item: ItemResolution; readonly hash: string }>,
): Promise<{ runId: number | null; items: string[] }> {
  const { db } = catalog;
  let items: ItemResolution[] = [];
  // The claim and the run's rows commit together (createRun's transaction nests as a savepoint); the
  // driver starts the run after the commit, as startRun would.
  const runId = db
    .transaction((): number | null => {
      const claimed = claimItems(
        db,
        project,
        rule.id,
        chunk.map((c) => ({ hash: c.hash, item: c.item.item })),
      );
      items = chunk.filter((c) => claimed.has(c.hash)).map((c) => c.item);
      if (items.length === 0) return null;
      const run = createRun(catalog, project, {
        batch,
        resolution: { ...resolution, items },
        mode: 'chained',
        ...(rule.queue === undefined ? {} : { queue: rule.queue }),
        owner: rule.owner,
        selection: `AUTOEXEC:${rule.name}`,
      });
      setClaimRun(db, project, [...claimed], run.runId);
      return run.runId;
    })
    .immediate();
  if (runId === null) return { runId: null, items: [] };
  await options.driver.start(runId);
  addLogEntry(db, project, rule, {
    source: options.source,
    runId: runId,
    items: items.length,
    skipped: chunk.length - items.length,
    message: `started ${items.length} item(s): ${items
      .slice(0, 5)
      .map((i) => i.item)
      .join(', ')}${items.length > 5 ? ', ...' : ''}`,
  });
  return { runId: runId, items: items.map((i) => i.item) };
}

/** Every declared output of the item's jobs exists on disk. */
function outputsExist(item: ItemResolution): boolean {
  const outputs = item.jobs.flatMap((j) =>
    j.args.flatMap((a) => (a.ok && (a.type === 'OUT' || a.type === 'PATHOUT') ? [a.path] : [])),
  );
  return outputs.length > 0 && outputs.every((p) => existsSync(p));
}
