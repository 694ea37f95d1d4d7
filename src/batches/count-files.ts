import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { fileConditions, fileConditionsSql } from '../selection/file-conditions.js';
import { sql, type SqlFragment } from '../selection/sql-fragment.js';
import type { ReferenceTarget } from './resolve-study-reference.js';

/** How many present catalog files each request matches (what a preview's summary needs of them). */
export interface FileCounts {
  /** The files matching `patterns` (a request's) in `target`. */
  count(patterns: readonly string[], target: ReferenceTarget): number;
}

interface PatternSet {
  readonly slot: number;
  readonly patterns: readonly string[];
  readonly named: Map<string, number>;
}

/** What to count: each pattern set in every study and analysis folder the items may reach. */
export interface CountScope {
  /** The FILE arguments' patterns (each a union), one entry per argument or per distinct set. */
  readonly patternSets: Iterable<readonly string[]>;
  readonly studyIds: readonly number[];
  readonly analyses: readonly string[];
}

/**
 * {@link matchFiles} reduced to counts, for the items of a preview outside its page. The files of all
 * the studies are read in one pass of the (study_id, path) index, each tested against every pattern
 * set (a statement per pattern set read the files of 100,000 studies seven times), and the answer is
 * one row of JSON arrays (studies, then a count per pattern set), parsed into plain numbers held in
 * one typed array: a row and a path string per file cost more than finding the files. The scope is
 * known before any item is resolved, so no pass over the items collects requests. Analysis folders
 * take one statement per pattern set.
 */
export function countFiles(db: Db, project: Project, scope: CountScope): FileCounts {
  const sets = new Map<string, PatternSet>();
  const byArray = new Map<readonly string[], PatternSet>();
  const setOf = (patterns: readonly string[]): PatternSet | undefined => {
    let set = byArray.get(patterns);
    if (set === undefined) {
      set = sets.get(JSON.stringify(patterns));
      if (set !== undefined) byArray.set(patterns, set);
    }
    return set;
  };
  for (const patterns of scope.patternSets) {
    if (setOf(patterns) !== undefined) continue;
    const set = { slot: sets.size, patterns, named: new Map<string, number>() };
    sets.set(JSON.stringify(patterns), set);
    byArray.set(patterns, set);
  }
  const conditions = [...sets.values()].map((set) => fileConditionsSql(fileConditions(set.patterns)));
  const { rowOf, counts } = countInStudies(db, scope.studyIds, conditions);
  for (const set of scope.analyses.length === 0 ? [] : sets.values()) {
    const query = sql`SELECT a.name, count(*) FROM files f JOIN analyses a ON a.id = f.analysis_id
        WHERE a.project_id = ${project.id} AND a.present = 1 AND f.present = 1
          AND a.name IN (SELECT value FROM json_each(${JSON.stringify(scope.analyses)}))
          AND (${conditions[set.slot] ?? sql`0`})
        GROUP BY a.name`;
    const rows = db
      .prepare(query.text)
      .raw(true)
      .all(...query.params) as Array<[string, number]>;
    for (const [name, n] of rows) set.named.set(name, n);
  }
  const width = sets.size;
  return {
    count(patterns, target) {
      const set = setOf(patterns);
      if (set === undefined) return 0;
      if (target.kind === 'analysis') return set.named.get(target.name) ?? 0;
      const row = rowOf.get(target.study.studyId);
      return row === undefined ? 0 : (counts[row * width + set.slot] ?? 0);
    },
  };
}

/**
 * Per study, how many of its present files meet each condition: one statement whatever the number of
 * conditions. Every study with a present file has a row (zeros where nothing matched).
 */
function countInStudies(
  db: Db,
  studyIds: readonly number[],
  conditions: readonly SqlFragment[],
): { rowOf: Map<number, number>; counts: Int32Array } {
  if (studyIds.length === 0 || conditions.length === 0) return { rowOf: new Map(), counts: new Int32Array() };
  // Column names are n0, n1...: made of the index, never of user text.
  const sums = list(
    conditions.map((c, i) => ({
      text: `sum(CASE WHEN ${c.text} THEN 1 ELSE 0 END) AS n${i}`,
      params: c.params,
    })),
    ', ',
  );
  const arrays = list(
    conditions.map((_, i) => ({ text: `json_group_array(n${i})`, params: [] })),
    ', ',
  );
  // No WHERE on the conditions: it tested each matching file twice (once to keep it, once to count
  // it); a study without a match now has a row of zeros, which reads as no row did.
  const query = sql`SELECT json_group_array(study_id), ${arrays} FROM (
    SELECT f.study_id, ${sums} FROM files f
    WHERE f.study_id IS NOT NULL AND f.study_id IN (SELECT value FROM json_each(${JSON.stringify(studyIds)}))
      AND f.present = 1
    GROUP BY f.study_id)`;
  const [ids, ...columns] = db
    .prepare(query.text)
    .raw(true)
    .get(...query.params) as string[];
  const studies = JSON.parse(ids ?? '[]') as number[];
  const rowOf = new Map<number, number>();
  studies.forEach((id, row) => rowOf.set(id, row));
  const counts = new Int32Array(studies.length * conditions.length);
  columns.forEach((column, slot) => {
    (JSON.parse(column) as number[]).forEach((n, row) => {
      counts[row * conditions.length + slot] = n;
    });
  });
  return { rowOf, counts };
}

function list(parts: readonly SqlFragment[], separator: string): SqlFragment {
  return { text: parts.map((p) => p.text).join(separator), params: parts.flatMap((p) => p.params) };
}
