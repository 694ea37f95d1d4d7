import { invalidInput } from '../errors/cohort-error.js';
import { sql, type SqlFragment } from './sql-fragment.js';

/**
 * Longest pattern accepted: PATH_MAX, as no file path can be longer. SQLite itself refuses LIKE
 * patterns over 50,000 bytes with an opaque error.
 */
export const MAX_PATTERN_LENGTH = 4096;

export interface LikePatternOptions {
  /**
   * Append a `%` so the pattern also matches anything that merely starts with it. The filter bar uses
   * this ("every term has an implicit trailing wildcard"); selectors do not. Default false.
   */
  readonly trailingWildcard?: boolean;
}

/**
 * Converts a user pattern to an SQL LIKE pattern for use with `LIKE ? ESCAPE '\'`.
 *
 * User syntax: `*` matches any run of characters, `/` included (so `*.nii` finds files in every
 * subfolder); `_` matches exactly one character; `\*`, `\_` and `\\` stand for a literal `*`, `_`
 * and `\`; a backslash before any other character is itself literal. `%` has no special meaning
 * for the user and is escaped so it only matches `%`.
 *
 * Matching is case-insensitive for ASCII letters, because SQLite's LIKE is (as long as
 * `PRAGMA case_sensitive_like` stays off). That is intended: scanners and sites write the same series
 * as `T1_MPRAGE` or `t1_mprage`. Letters outside ASCII compare exactly.
 *
 * Example: `t1_*\_v2/*.nii` becomes `t1_%\_v2/%.nii`.
 *
 * @throws CohortError INVALID_INPUT for an empty pattern, one containing NUL, or one over MAX_PATTERN_LENGTH.
 */
export function toLikePattern(pattern: string, options: LikePatternOptions = {}): string {
  if (pattern === '') throw invalidInput('Empty pattern.', 'Give a pattern such as *.nii or t1_*/s0*.nii.');
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw invalidInput(
      `A pattern of ${pattern.length} characters is too long (at most ${MAX_PATTERN_LENGTH}).`,
      'No path is that long: shorten the pattern, using * for the parts that vary.',
    );
  }
  if (pattern.includes('\0')) {
    throw invalidInput('A pattern cannot contain a NUL character.', undefined, { pattern });
  }
  let like = '';
  let endsWithWildcard = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    endsWithWildcard = c === '*';
    if (c === '\\') {
      const next = pattern.charAt(i + 1);
      if (next === '*') {
        like += '*';
        i++;
      } else if (next === '_' || next === '\\') {
        like += `\\${next}`;
        i++;
      } else {
        // A lone backslash is literal: it is rare in file names and an error would only annoy.
        like += '\\\\';
      }
    } else if (c === '*') {
      like += '%';
    } else if (c === '%') {
      // Escaped, so a `%` in a file name matches only itself.
      like += '\\%';
    } else {
      // `_` passes through unchanged: it means "one character" in both syntaxes.
      like += c;
    }
  }
  // Only a trailing `*` makes the implicit wildcard redundant; an escaped `\*` or a literal `%` does not.
  if (options.trailingWildcard === true && !endsWithWildcard) like += '%';
  return like;
}

/** `column LIKE ? ESCAPE '\'` with the pattern bound; `like` comes from {@link toLikePattern}. */
export function likeSql(column: SqlFragment, like: string): SqlFragment {
  return sql`${column} LIKE ${like} ESCAPE '\\'`;
}
