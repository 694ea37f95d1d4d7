import type { IndexCounts } from '../../catalog/indexer/catalog-writer.js';
import type { CommandContext } from '../command-spec.js';
import { formatDuration } from './format-progress.js';
import { REDRAWS_PER_SECOND, type ProgressStream } from './progress-line.js';

/** `12,345 files seen (40 added, 2 changed) · 3 subjects, 9 studies added · 2100 files/s · 6s elapsed`. */
export function formatIndexProgress(counts: Readonly<IndexCounts>, elapsedMs: number): string {
  const seen = counts.filesAdded + counts.filesChanged + counts.filesUnchanged;
  const rate = elapsedMs > 0 ? Math.round(seen / (elapsedMs / 1000)) : 0;
  return (
    `${seen.toLocaleString('en')} files seen (${counts.filesAdded} added, ${counts.filesChanged} changed) · ` +
    `${counts.subjectsAdded} subjects, ${counts.studiesAdded} studies added · ${rate} files/s · ` +
    `${formatDuration(elapsedMs / 1000)} elapsed`
  );
}

/** The indexer's live line on a terminal (create, rescan); none in a pipe or with --json. */
export interface IndexProgress {
  readonly onProgress?: (counts: Readonly<IndexCounts>) => void;
  /** Erases the line before the summary. */
  stop(): void;
}

/**
 * A live line while the indexer walks the tree, redrawn at most REDRAWS_PER_SECOND times a second.
 * The indexer's total is unknown until the walk ends, so there is a rate but no time left.
 */
export function indexProgress(
  ctx: Pick<CommandContext, 'json'>,
  terminal: (ProgressStream & { isTTY?: boolean }) | undefined = process.stdout,
  now: () => number = Date.now,
): IndexProgress {
  const line = liveLine(ctx, terminal, now);
  if (line === undefined) return { stop: () => {} };
  return {
    onProgress: (counts) => line.draw((elapsedMs) => formatIndexProgress(counts, elapsedMs)),
    stop: () => line.stop(),
  };
}

/** A line redrawn in place on a terminal, at most REDRAWS_PER_SECOND times a second. */
export interface LiveLine {
  /** Redraws the line (unless drawn too recently) with the text for the time elapsed since its start. */
  draw(text: (elapsedMs: number) => string): void;
  /** Erases the line before the summary. */
  stop(): void;
}

/** A live line on a terminal; undefined into a pipe or with --json, where nothing is drawn. */
export function liveLine(
  ctx: Pick<CommandContext, 'json'>,
  terminal: (ProgressStream & { isTTY?: boolean }) | undefined = process.stdout,
  now: () => number = Date.now,
): LiveLine | undefined {
  if (ctx.json || terminal?.isTTY !== true) return undefined;
  const started = now();
  let last = -Infinity;
  let drawn = false;
  const columns = (terminal.columns ?? 0) > 0 ? (terminal.columns ?? 80) : 80;
  return {
    draw(text) {
      if (now() - last < 1000 / REDRAWS_PER_SECOND) return;
      last = now();
      terminal.write(`\r${text(now() - started).slice(0, columns - 1)}\x1b[K`);
      drawn = true;
    },
    stop() {
      if (drawn) terminal.write('\r\x1b[K');
      drawn = false;
    },
  };
}
