import { resolve } from 'node:path';
import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { likeSql, toLikePattern } from '../selection/like-pattern.js';
import { sql } from '../selection/sql-fragment.js';

/** A present file of an analysis folder. */
export interface AnalysisFile {
  /** The analysis folder's name (`ANALYSIS#name`). */
  readonly analysis: string;
  /** Relative to the analysis folder. */
  readonly path: string;
  readonly absolutePath: string;
}

/** Present files of the project's present analysis folders whose path matches `pattern`, by folder then path. */
export function analysisFiles(db: Db, project: Project, pattern: string): AnalysisFile[] {
  const query = sql`SELECT a.name AS analysis, a.folder, f.path FROM files f JOIN analyses a ON a.id = f.analysis_id
    WHERE a.project_id = ${project.id} AND a.present = 1 AND f.present = 1
      AND (${likeSql(sql`f.path`, toLikePattern(pattern))})
    ORDER BY a.name, f.path`;
  const rows = db.prepare(query.text).all(...query.params) as Array<{
    analysis: string;
    folder: string;
    path: string;
  }>;
  return rows.map((r) => ({
    analysis: r.analysis,
    path: r.path,
    absolutePath: resolve(project.root, r.folder, r.path),
  }));
}
