import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { addFiles } from '../catalog/add-files.js';
import type { Catalog } from '../catalog/catalog.js';
import type { Project } from '../catalog/project-store.js';
import { addTags } from '../catalog/tags.js';
import { ensureDatasetDescription } from './dataset-description.js';
import type { TaskProvenance } from './provenance.js';
import { runBatchName } from './store/run-store.js';
import type { TaskRow } from './store/task-store.js';

/**
 * After a task succeeded: registers its outputs in the catalog (with their `TAG(...)` tags) and tags
 * the study when the job asks for it, and drops its logs when the job does not keep them. Returns an error text when a declared output was not written,
 * which turns the success into an error: a job that "worked" but made nothing must show up red.
 */
export function finishTask(
  catalog: Catalog,
  project: Project,
  task: TaskRow,
  provenance: TaskProvenance,
): string | null {
  const missing: string[] = [];
  for (const output of provenance.outputs) {
    if (!existsSync(output.path)) {
      missing.push(output.path);
      continue;
    }
    const files = output.kind === 'PATHOUT' ? filesBelow(output.path) : [output.path];
    const description = ensureDatasetDescription(project, output.path, {
      batch: runBatchName(catalog.db, task.run_id) ?? '?',
      job: provenance.job.name,
    });
    if (description !== null) files.push(description);
    const results = addFiles(catalog, project, files, { tags: output.tags });
    const failed = results.filter((r) => !r.ok);
    if (failed.length > 0)
      return `outputs could not be registered: ${failed.map((f) => (f.ok ? '' : f.error)).join('; ')}`;
  }
  if (missing.length > 0) return `the job ended without writing ${missing.join(', ')}`;
  if (provenance.tagOnSuccess !== undefined && task.study_id !== null) {
    addTags(catalog.db, 'study', [task.study_id], [provenance.tagOnSuccess]);
  }
  // `keepLogs: false`: a chatty job's logs are worth keeping only when it fails.
  if (provenance.job.options?.keepLogs === false) {
    for (const log of ['stdout.log', 'stderr.log']) rmSync(join(task.log_dir, log), { force: true });
  }
  return null;
}

function filesBelow(dir: string): string[] {
  if (!statSync(dir).isDirectory()) return [dir];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesBelow(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [],
  );
}
