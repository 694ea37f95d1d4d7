import type { EntityCondition } from './file-conditions.js';
import type { JobFilterLetter } from '../runs/task-states.js';

/**
 * A parsed filter-bar expression: AND of groups, each group an OR of terms. `a b & c` is
 * `(a OR b) AND c`. No groups means every study. Built by `parseFilter`, run by `runFilter`.
 */
export interface Filter {
  readonly source: string;
  readonly groups: readonly FilterGroup[];
}

/** Terms of which at least one must match. */
export type FilterGroup = readonly FilterTerm[];

/** Job states the filter bar can ask for, by their one-letter code (declared with the task states). */
export { JOB_FILTER_LETTERS as JOB_FILTER_STATES, type JobFilterLetter } from '../runs/task-states.js';

/** Keywords of the filter bar (written case-insensitively as `KEYWORD:value`). */
export const FILTER_KEYWORDS = ['STAG', 'PTAG', 'FTAG', 'SDESC', 'JOB'] as const;

interface TermBase {
  /** The term as typed, `!` included. */
  readonly text: string;
  /** 0-based offset of the term in `Filter.source`. */
  readonly position: number;
  /** A leading `!`: the study must not match. */
  readonly negated: boolean;
}

/**
 * One filter term. Values are SQL LIKE patterns with the implicit trailing wildcard already added.
 * - `stag`/`ptag`: the study / its subject carries a tag matching `like`;
 * - `ftag`: the study has a present file with a matching tag;
 * - `sdesc`: the study description matches;
 * - `file`: the study has a present file whose relative path matches (terms containing `/`);
 * - `id`: the subject id, the study id or `PID#SID` matches.
 */
export type FilterTerm =
  | (TermBase & { readonly kind: 'stag' | 'ptag' | 'ftag' | 'sdesc' | 'file' | 'id'; readonly like: string })
  /** `key=value`: the study has a present file with that entity (BIDS `task=rest`, `run=2`). */
  | (TermBase & { readonly kind: 'entity'; readonly entity: EntityCondition })
  | (TermBase & { readonly kind: 'job'; readonly state: JobFilterLetter });

/** Filter-bar syntax, for error hints and help text. */
export const FILTER_HELP =
  'Terms separated by spaces are ORed, & separates AND-groups: `a b & c` = (a or b) and c. Each term ' +
  'matches as a prefix (implicit trailing *); ! negates a term. Terms: PID, SID or PID#SID prefix; ' +
  'a file path pattern containing / (t1_*/s0*.nii); a file entity KEY=VALUE (task=rest, acq=mprage, run=2); STAG:tag, PTAG:tag, FTAG:tag, SDESC:text, ' +
  'JOB:q|r|e|s (queued, running, error, suspended).';
