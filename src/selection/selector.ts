import type { EntityCondition } from './file-conditions.js';
/**
 * A parsed selector: which studies, then which files in them. Built by `parseSelector`, run by
 * `runSelector`. Patterns are stored already converted to SQL LIKE patterns (see `toLikePattern`).
 */
export interface Selector {
  /** The text errors and logs refer to. */
  readonly source: string;
  /** Union of study terms; empty means every study. */
  readonly studies: readonly StudyTerm[];
  /** Tag conditions every selected study must meet (ANDed with the union above). */
  readonly studyFilters: readonly TagCondition[];
  /** File terms, or null when the selector picks studies only. */
  readonly files: FileTerms | null;
}

/** Which of a subject's studies a study term means. */
export type StudyPick =
  /** Every study of the subject (`P001`, `12*`, `*`). */
  | { readonly kind: 'all' }
  /** Studies whose id matches (`P001#2020*`). */
  | { readonly kind: 'pattern'; readonly like: string }
  /** Counted from the newest: 0 = `LATEST`, 1 = `LATEST-1` (second latest). */
  | { readonly kind: 'latest'; readonly offset: number }
  /** Counted from the first: 0 = `OLDEST`, 2 = `OLDEST+2` (third). */
  | { readonly kind: 'oldest'; readonly offset: number };

/** `SUBJECT[#STUDY]`: subjects matching a pattern, and which of their studies. */
export interface StudyTerm {
  readonly text: string;
  /** SQL LIKE pattern for the subject id. */
  readonly subjectLike: string;
  readonly pick: StudyPick;
}

/** The item levels that carry tags. */
export const TAG_LEVELS = ['subject', 'study', 'file'] as const;
export type TagLevel = (typeof TAG_LEVELS)[number];

/** `stag:T`, `notptag:T`, `tag:T`...: an item must (or, negated, must not) carry the tag. */
export interface TagCondition {
  readonly level: TagLevel;
  /** Compared exactly (case-sensitive, no wildcards): selectors are for scripts and must be precise. */
  readonly tag: string;
  readonly negated: boolean;
}

export const FILE_SORT_KEYS = ['path', 'name', 'size', 'mtime'] as const;
/** `path`: relative path; `name`: file name without folders; `size`: bytes; `mtime`: modification time. */
export type FileSortKey = (typeof FILE_SORT_KEYS)[number];

export interface FileSort {
  readonly key: FileSortKey;
  readonly descending: boolean;
}

/** The file part of a selector. */
export interface FileTerms {
  /** SQL LIKE patterns of `file:` terms; together with `paths` a union (none of either: every file). */
  readonly patterns: readonly string[];
  /** Absolute paths named in the selector, as given (resolved to file ids when run). */
  readonly paths: readonly string[];
  /** File tag conditions, ANDed. */
  readonly tags: readonly TagCondition[];
  /** File entity conditions (`task=rest`), ANDed. */
  readonly entities?: readonly EntityCondition[];
  /** Order of files within a study. Default: by path, ascending. */
  readonly sort: FileSort;
  /** Keep only the k-th file per study after sorting, 1-based; negative counts from the end. */
  readonly nth: number | null;
}

/** The default file order: by relative path. */
export const DEFAULT_FILE_SORT: FileSort = { key: 'path', descending: false };

/** Every kind of selector term, for error hints and help text. */
export const SELECTOR_TERMS_HELP =
  'Valid terms: * | PID | PID-pattern (12*) | PID#SID | PID#SID-pattern | PID#LATEST[-N] | PID#OLDEST[+N] | ' +
  'stag:T | notstag:T | ptag:T | notptag:T | file:PATTERN | tag:T | nottag:T | KEY=VALUE (a file entity: task=rest, run=2, suffix=T1w) | /absolute/path | ' +
  'sort:[-](path|name|size|mtime) | nth:K (or NTH(K); 1 = first, -1 = last).';
