import type { BatchResolution } from './batch-resolution.js';
import type { PatternProposal } from './propose-patterns.js';

/** Which items of a preview come with their full resolution: `limit` items from `offset` (0-based). */
export interface PreviewPage {
  readonly offset: number;
  readonly limit: number;
}

/** Items shown by default: the composer's table draws as many; `cohort preview` asks for fewer. */
export const DEFAULT_PREVIEW_LIMIT = 1000;

/** Items listed with their reasons in a preview's `summary.missing` (all are counted). */
export const MAX_PREVIEW_MISSING = 1000;

/** How many items can run one job of the batch. */
export interface JobTally {
  /** Position of the job in the batch, 0-based. */
  readonly index: number;
  readonly name: string;
  readonly ready: number;
  readonly notRunnable: number;
}

/** An input or output argument that some items of the preview cannot resolve. */
export interface ArgumentTally {
  readonly jobIndex: number;
  readonly job: string;
  readonly argument: string;
  /** An optional FILE: the items still run. */
  readonly optional: boolean;
  /** Items that miss it. */
  readonly missing: number;
  /** The first such item and why: `P003: P003 has no study tagged baseline`. */
  readonly example: string;
}

/**
 * A resolution preview that keeps a summary of every item and the full resolution of one page: the
 * shape of a {@link BatchResolution} whose `items` are the page and whose `summary.missing` lists at
 * most {@link MAX_PREVIEW_MISSING} items (`missingItems` counts them all). Collisions, the group-level
 * jobs and the pattern proposals cover every item.
 */
export interface BatchPreview extends BatchResolution {
  readonly page: PreviewPage;
  readonly summary: BatchResolution['summary'] & {
    /** Items missing an input, required or optional (`missing` lists the first ones). */
    readonly missingItems: number;
    readonly jobs: readonly JobTally[];
    readonly arguments: readonly ArgumentTally[];
  };
  /** Generalised patterns for FILE inputs some items miss (study level; adopt: replace the patterns). */
  readonly proposals: readonly PatternProposal[];
}
