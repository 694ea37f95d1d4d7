import { toLikePattern } from '../selection/like-pattern.js';

/**
 * A user pattern (`*`, `_`, `\*`...) as an anchored RegExp that matches exactly what SQLite's
 * `LIKE ? ESCAPE '\'` matches for {@link toLikePattern}'s output, case-insensitively. Used where the
 * candidates are already in memory (study ids, outputs of earlier jobs), so the SQL and the in-memory
 * matching never disagree about a pattern.
 *
 * Example: `patternRegex('2019*').test('20190101')` is true.
 *
 * @throws CohortError INVALID_INPUT for an empty pattern.
 */
export function patternRegex(pattern: string): RegExp {
  const like = toLikePattern(pattern);
  let source = '';
  for (let i = 0; i < like.length; i++) {
    const c = like.charAt(i);
    if (c === '\\') {
      source += escapeRegex(like.charAt(i + 1));
      i++;
    } else if (c === '%') {
      source += '[^]*';
    } else if (c === '_') {
      source += '[^]';
    } else {
      source += escapeRegex(c);
    }
  }
  // `i`: SQLite's LIKE folds ASCII case; for other letters the two may differ, which is harmless here.
  return new RegExp(`^${source}$`, 'iu');
}

// Only syntax characters: the `u` flag rejects escapes of anything else.
function escapeRegex(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}
