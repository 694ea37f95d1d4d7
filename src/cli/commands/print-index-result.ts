import type { IndexResult } from '../../catalog/indexer/index-project.js';
import type { CommandContext } from '../command-spec.js';
import { visible } from '../format-table.js';

// Long warning lists drown the summary; the JSON output has them all.
const MAX_WARNINGS_SHOWN = 20;

export function printIndexResult(ctx: CommandContext, result: IndexResult): void {
  if (ctx.json) return ctx.printJson(result);
  const c = result.counts;
  ctx.print(
    `Indexed project '${result.project}' in ${(result.durationMs / 1000).toFixed(2)} s: ` +
      `${c.subjectsAdded} subjects and ${c.studiesAdded} studies added; files: ${c.filesAdded} added, ` +
      `${c.filesChanged} changed, ${c.filesRemoved} marked missing, ${c.filesUnchanged} unchanged.`,
  );
  if (result.resumedInterrupted)
    ctx.print('The previous index of this project was interrupted; this run completed it.');
  if (result.warnings.length > 0) {
    ctx.warn(`${result.warnings.length} problem(s) while scanning (the scan went on):`);
    for (const w of result.warnings.slice(0, MAX_WARNINGS_SHOWN))
      ctx.warn(`  ${w.problem}: ${visible(w.path)} (${w.detail})`);
    if (result.warnings.length > MAX_WARNINGS_SHOWN)
      ctx.warn(`  ... and ${result.warnings.length - MAX_WARNINGS_SHOWN} more (see --json).`);
  }
}
