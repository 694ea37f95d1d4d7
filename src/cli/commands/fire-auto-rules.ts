import { hasRules } from '../../auto/auto-store.js';
import { fireRules, type RuleFiring } from '../../auto/fire-rules.js';
import { BackgroundRunner } from '../../runs/index.js';
import type { CommandContext } from '../command-spec.js';

/**
 * Fires the project's autoexec rules after a command added data (create, rescan, import-dicom, add,
 * tag add). Their runs go to background runners: the command returns as it did. Not inside a running
 * job (its `cohort add` registers outputs; the job's own run is the computation). A project without
 * rules costs one indexed SELECT.
 */
export async function fireAutoRules(
  ctx: CommandContext,
  source: string,
  options: { readonly always?: boolean } = {},
): Promise<RuleFiring[]> {
  if (ctx.config.jobProject !== undefined && options.always !== true) return [];
  const catalog = ctx.catalog();
  const project = ctx.project();
  if (!hasRules(catalog.db, project)) return [];
  const results = await fireRules(catalog, project, {
    source,
    driver: new BackgroundRunner(catalog.runsDir),
  });
  for (const r of results) {
    if (r.error !== undefined) ctx.warn(`autoexec: rule '${r.rule}' could not fire: ${r.error}`);
    for (const run of r.runs) {
      ctx.warn(`autoexec: rule '${r.rule}' started run ${run.runId} on ${run.items.length} item(s).`);
    }
  }
  return results;
}
