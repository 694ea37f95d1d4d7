import { tagsOf } from '../catalog/tags.js';
import type { Db } from '../db/open-database.js';

/** How points are grouped: by which of these tags the subject (or study) carries. */
export interface Grouping {
  readonly level: 'subject' | 'study';
  /** Tried in order: a point's group is the first it carries; `other` when none. Empty: one group, `all`. */
  readonly tags: readonly string[];
}

/** The group of points that carry none of the grouping's tags. */
export const OTHER_GROUP = 'other';

/**
 * A function naming the group of a subject or study by its tags (read once, for all ids at once).
 * Subject-level points grouped by study tags fall in {@link OTHER_GROUP}.
 */
export function groupByTags(
  db: Db,
  grouping: Grouping,
  subjectIds: readonly number[],
  studyIds: readonly number[],
): (subjectId: number, studyId: number | null) => string {
  if (grouping.tags.length === 0) return () => 'all';
  const tags = tagsOf(db, grouping.level, grouping.level === 'subject' ? subjectIds : studyIds);
  return (subjectId, studyId) => {
    const id = grouping.level === 'subject' ? subjectId : studyId;
    const carried = id === null ? [] : (tags.get(id) ?? []);
    return grouping.tags.find((t) => carried.includes(t)) ?? OTHER_GROUP;
  };
}
