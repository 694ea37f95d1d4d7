import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { fileConditions, fileConditionsSql } from '../selection/file-conditions.js';
import { sql, type SqlFragment } from '../selection/sql-fragment.js';
import type { ReferenceTarget } from './resolve-study-reference.js';

/** One FILE argument of one item: its patterns (a union) in the folder its reference resolved to. */
export interface FileRequest {
  readonly patterns: readonly string[];
  readonly target: ReferenceTarget;
}

/** Present catalog files per request, relative paths sorted by path. */
export interface FileMatches {
  get(request: FileRequest): readonly string[];
}

interface PatternGroup {
  readonly patterns: readonly string[];
  readonly studyIds: Set<number>;
  readonly analyses: Set<string>;
  /** Paths by study id (a number key: no key text per study). */
  readonly inStudies: Map<number, string[]>;
  readonly inAnalyses: Map<string, string[]>;
}

const NONE: readonly string[] = [];

/**
 * Matches every request against the catalog with one statement per distinct pattern set (two when the
 * set is also used in analysis folders), whatever the number of items: the studies of all requests that
 * share the patterns go into one `study_id IN (json_each(?))` list, which SQLite answers by probing the
 * (study_id, path) index once per study.
 */
export function matchFiles(db: Db, project: Project, requests: Iterable<FileRequest>): FileMatches {
  const groups = new Map<string, PatternGroup>();
  for (const request of requests) {
    const key = JSON.stringify(request.patterns);
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        patterns: request.patterns,
        studyIds: new Set(),
        analyses: new Set(),
        inStudies: new Map(),
        inAnalyses: new Map(),
      };
      groups.set(key, group);
    }
    if (request.target.kind === 'study') group.studyIds.add(request.target.study.studyId);
    else group.analyses.add(request.target.name);
  }
  for (const group of groups.values()) {
    // Path patterns (a union), and `tag:T` / `key=value` terms that every file must meet.
    const anyPattern = fileConditionsSql(fileConditions(group.patterns));
    if (group.studyIds.size > 0) {
      collect(
        db,
        group.inStudies,
        sql`SELECT json_group_array(owner), json_group_array(path) FROM (
          SELECT f.study_id AS owner, f.path FROM files f
          WHERE f.study_id IS NOT NULL AND f.study_id IN (SELECT value FROM json_each(${JSON.stringify([...group.studyIds])}))
            AND f.present = 1 AND (${anyPattern})
          ORDER BY f.study_id, f.path)`,
      );
    }
    if (group.analyses.size > 0) {
      collect(
        db,
        group.inAnalyses,
        sql`SELECT json_group_array(owner), json_group_array(path) FROM (
          SELECT a.name AS owner, f.path FROM files f JOIN analyses a ON a.id = f.analysis_id
          WHERE a.project_id = ${project.id} AND a.present = 1 AND f.present = 1
            AND a.name IN (SELECT value FROM json_each(${JSON.stringify([...group.analyses])}))
            AND (${anyPattern})
          ORDER BY a.name, f.path)`,
      );
    }
  }
  // Requests of one argument share its patterns array: looked up by identity before by text (a
  // preview over 100,000 subjects asks 1.8 million times).
  const byArray = new Map<readonly string[], PatternGroup | undefined>();
  return {
    get(request) {
      let group = byArray.get(request.patterns);
      if (group === undefined) {
        group = groups.get(JSON.stringify(request.patterns));
        byArray.set(request.patterns, group);
      }
      if (group === undefined) return NONE;
      const target = request.target;
      return (
        (target.kind === 'study'
          ? group.inStudies.get(target.study.studyId)
          : group.inAnalyses.get(target.name)) ?? NONE
      );
    },
  };
}

/** A key for a study or analysis folder, unique within a project. */
export function targetKey(target: ReferenceTarget): string {
  return target.kind === 'study' ? `s${target.study.studyId}` : `a${target.name}`;
}

/**
 * Reads one statement's matches, grouped by owner (study id or analysis name) in path order. The
 * statement answers one row of two JSON arrays (owners, paths): a row per file crossing into
 * JavaScript cost more than finding the files (a run over 100,000 subjects reads a million).
 */
function collect<K extends number | string>(db: Db, found: Map<K, string[]>, query: SqlFragment): void {
  const [owners, paths] = db
    .prepare(query.text)
    .raw(true)
    .get(...query.params) as [string, string];
  const ownerList = JSON.parse(owners) as K[];
  const pathList = JSON.parse(paths) as string[];
  let last: K | undefined;
  let list: string[] = [];
  for (let i = 0; i < ownerList.length; i++) {
    const owner = ownerList[i] as K;
    // Rows come grouped by owner, so the map is touched once per owner, not per file.
    if (owner !== last) {
      last = owner;
      list = found.get(owner) ?? [];
      found.set(owner, list);
    }
    list.push(pathList[i] as string);
  }
}
