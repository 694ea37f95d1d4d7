import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hasRules } from '../../auto/auto-store.js';
import type { CommandContext } from '../command-spec.js';

/**
 * The built CLI's entry, from this module as built (dist/cli/commands/), bundled into the lean or the
 * runner entry (dist/cli/lean-cli.bundle.js, runner-cli.bundle.cjs) or run from the sources by the tests.
 */
function cliMain(): string {
  const here = import.meta.url;
  const relative = here.endsWith('.ts')
    ? '../../../dist/cli/main.js'
    : /\.bundle\.c?js$/.test(here)
      ? './main.js'
      : '../main.js';
  return fileURLToPath(new URL(relative, here));
}

/**
 * Fires the project's autoexec rules after a command added data (rescan, import-dicom, add, tag add):
 * `cohort auto fire` in a child process, whose runs go to background runners, so the command returns
 * as before. A child, because `add`, `tag` and `rescan` load only the catalog's code (src/cli/
 * lean-cli.ts, index-cli.ts) and the rules need the engine. Not inside a running job (its `cohort add`
 * registers outputs; the job's own run is the computation). A project without rules costs one indexed
 * SELECT. The child's messages go to stderr; stdout stays the command's (its --json).
 */
export function fireAutoRules(ctx: CommandContext, source: string): void {
  if (ctx.config.jobProject !== undefined) return;
  const project = ctx.project();
  if (!hasRules(ctx.catalog().db, project)) return;
  spawnSync(
    process.execPath,
    [
      cliMain(),
      'auto',
      'fire',
      '--source',
      source,
      '--project',
      project.name,
      '--db',
      ctx.config.databasePath,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}
