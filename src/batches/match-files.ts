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
  readonly found: Map<string, string[]>;
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
      group = { patterns: request.patterns, studyIds: new Set(), analyses: new Set(), found: new Map() };
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
        group,
        's',
        sql`SELECT f.study_id AS owner, f.path FROM files f
        WHERE f.study_id IS NOT NULL AND f.study_id IN (SELECT value FROM json_each(${JSON.stringify([...group.studyIds])}))
          AND f.present = 1 AND (${anyPattern})
        ORDER BY f.study_id, f.path`,
      );
    }
    if (group.analyses.size > 0) {
      collect(
        db,
        group,
        'a',
        sql`SELECT a.name AS owner, f.path FROM files f JOIN analyses a ON a.id = f.analysis_id
        WHERE a.project_id = ${project.id} AND a.present = 1 AND f.present = 1
          AND a.name IN (SELECT value FROM json_each(${JSON.stringify([...group.analyses])}))
          AND (${anyPattern})
        ORDER BY a.name, f.path`,
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
      return group?.found.get(targetKey(request.target)) ?? NONE;
    },
  };
}

/** A key for a study or analysis folder, unique within a project. */
export function targetKey(target: ReferenceTarget): string {
  return target.kind === 'study' ? `s${target.study.studyId}` : `a${target.name}`;
}

function collect(db: Db, group: PatternGroup, prefix: 's' | 'a', query: SqlFragment): void {
  // Raw rows (arrays) spare an object per file: tens of thousands of rows for a big preview.
  const rows = db
    .prepare(query.text)
    .raw(true)
    .all(...query.params) as Array<[number | string, string]>;
  let last: number | string | undefined;
  let paths: string[] = [];
  for (const [owner, path] of rows) {
    // Rows come grouped by owner, so the map (and its key text) is touched once per study, not per file.
    if (owner !== last) {
      last = owner;
      const key = `${prefix}${owner}`;
      paths = group.found.get(key) ?? [];
      group.found.set(key, paths);
    }
    paths.push(path);
  }
}
