import { likeSql, toLikePattern } from './like-pattern.js';
import { joinSql, sql, type SqlFragment } from './sql-fragment.js';

/** A file entity condition (BIDS): `task=rest`, `run=2`, `acq=mp*`, `pipeline=fmriprep`. */
export interface EntityCondition {
  readonly key: string;
  /** SQL LIKE pattern (`*` and `_` wildcards, no implicit trailing wildcard). */
  readonly like: string;
}

const ENTITY_TERM = /^([a-z][a-zA-Z0-9]*)=(.+)$/;

/**
 * Reads `key=value` as a condition on a file's entities (BIDS `sub`, `ses`, `task`, `acq`, `run`,
 * `desc`, `suffix`, `datatype`, `extension`, `pipeline`...), or null for any other text.
 * Example: `entityTerm('task=rest')` → `{ key: 'task', like: 'rest' }`.
 */
export function entityTerm(text: string): EntityCondition | null {
  const match = ENTITY_TERM.exec(text);
  if (match === null) return null;
  return { key: match[1] ?? '', like: toLikePattern(match[2] ?? '') };
}

/** The SQL condition of an entity term on the `files` row aliased `f`. */
export function entitySql(condition: EntityCondition): SqlFragment {
  // The key is an identifier (checked by ENTITY_TERM), passed as a parameter all the same.
  return likeSql(sql`json_extract(f.entities, ${`$.${condition.key}`})`, condition.like);
}

/** The terms of a FILE argument: path patterns (a union), and file tags and entities (all required). */
export interface FileConditions {
  readonly paths: readonly string[];
  readonly tags: readonly string[];
  readonly entities: readonly EntityCondition[];
}

/**
 * Splits a FILE argument's patterns: `tag:brainmask` asks for a file tag, `task=rest` for an entity,
 * anything else is a path pattern. Path patterns are a union (none: any file); tags and entities
 * narrow it, as in selectors. Example: `['anat/*', 'tag:brainmask']`.
 */
export function fileConditions(patterns: readonly string[]): FileConditions {
  const paths: string[] = [];
  const tags: string[] = [];
  const entities: EntityCondition[] = [];
  for (const pattern of patterns) {
    const entity = entityTerm(pattern);
    if (pattern.toLowerCase().startsWith('tag:') && pattern.length > 4) tags.push(pattern.slice(4));
    else if (entity !== null) entities.push(entity);
    else paths.push(pattern);
  }
  return { paths, tags, entities };
}

/** The SQL condition of {@link fileConditions} on the `files` row aliased `f`. */
export function fileConditionsSql(conditions: FileConditions): SqlFragment {
  const anyPath = joinSql(
    conditions.paths.map((p) => likeSql(sql`f.path`, toLikePattern(p))),
    ' OR ',
    sql`1`,
  );
  const parts = [
    sql`(${anyPath})`,
    ...conditions.tags.map((tag) => sql`f.id IN (SELECT file_id FROM file_tags WHERE tag = ${tag})`),
    ...conditions.entities.map(entitySql),
  ];
  return joinSql(parts, ' AND ', sql`1`);
}
