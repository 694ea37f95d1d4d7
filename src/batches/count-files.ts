import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { fileConditions, fileConditionsSql } from '../selection/file-conditions.js';
import { sql, type SqlFragment } from '../selection/sql-fragment.js';
import type { FileRequest } from './match-files.js';

/** How many present catalog files each request matches (what a preview's summary needs of them). */
export interface FileCounts {
  count(request: FileRequest): number;
}

interface CountGroup {
  readonly patterns: readonly string[];
  readonly studyIds: Set<number>;
  readonly analyses: Set<string>;
  readonly studies: Map<number, number>;
  readonly named: Map<string, number>;
}

/**
 * {@link matchFiles} reduced to counts, for the items of a preview outside its page: one statement per
 * distinct pattern set (two with analysis folders) whose answer is one row of two JSON arrays (the
 * studies and their counts), parsed into plain numbers. Returning a row and a path string per file cost
 * more than finding the files: over 100,000 subjects, a second of CPU and 1.1 million retained strings.
 */
export function countFiles(db: Db, project: Project, requests: Iterable<FileRequest>): FileCounts {
  const groups = new Map<string, CountGroup>();
  const byArray = new Map<readonly string[], CountGroup>();
  const groupOf = (patterns: readonly string[]): CountGroup | undefined => {
    let group = byArray.get(patterns);
    if (group === undefined) {
      group = groups.get(JSON.stringify(patterns));
      if (group !== undefined) byArray.set(patterns, group);
    }
    return group;
  };
  for (const request of requests) {
    let group = groupOf(request.patterns);
    if (group === undefined) {
      group = {
        patterns: request.patterns,
        studyIds: new Set(),
        analyses: new Set(),
        studies: new Map(),
        named: new Map(),
      };
      groups.set(JSON.stringify(request.patterns), group);
      byArray.set(request.patterns, group);
    }
    if (request.target.kind === 'study') group.studyIds.add(request.target.study.studyId);
    else group.analyses.add(request.target.name);
  }
  for (const group of groups.values()) {
    const anyPattern = fileConditionsSql(fileConditions(group.patterns));
    if (group.studyIds.size > 0) {
      collect(
        db,
        group.studies,
        sql`SELECT f.study_id AS owner, count(*) AS n FROM files f
        WHERE f.study_id IS NOT NULL AND f.study_id IN (SELECT value FROM json_each(${JSON.stringify([...group.studyIds])}))
          AND f.present = 1 AND (${anyPattern})
        GROUP BY f.study_id`,
      );
    }
    if (group.analyses.size > 0) {
      collect(
        db,
        group.named,
        sql`SELECT a.name AS owner, count(*) AS n FROM files f JOIN analyses a ON a.id = f.analysis_id
        WHERE a.project_id = ${project.id} AND a.present = 1 AND f.present = 1
          AND a.name IN (SELECT value FROM json_each(${JSON.stringify([...group.analyses])}))
          AND (${anyPattern})
        GROUP BY a.name`,
      );
    }
  }
  return {
    count(request) {
      const group = groupOf(request.patterns);
      if (group === undefined) return 0;
      const { target } = request;
      return (target.kind === 'study' ? group.studies.get(target.study.studyId) : group.named.get(target.name)) ?? 0;
    },
  };
}

function collect<K>(db: Db, into: Map<K, number>, counts: SqlFragment): void {
  // One row of two JSON arrays instead of a row per owner: JSON.parse makes packed number arrays.
  const query = sql`SELECT json_group_array(owner), json_group_array(n) FROM (${counts})`;
  const [owners, ns] = db
    .prepare(query.text)
    .raw(true)
    .get(...query.params) as [string, string];
  const keys = JSON.parse(owners) as K[];
  const values = JSON.parse(ns) as number[];
  keys.forEach((key, i) => into.set(key, values[i] ?? 0));
}
