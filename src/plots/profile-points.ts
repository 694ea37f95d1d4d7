import { join } from 'node:path';
import { matchFiles, type FileRequest } from '../batches/match-files.js';
import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { isCohortError } from '../errors/cohort-error.js';
import { parseSelector } from '../selection/parse-selector.js';
import { selectStudies } from '../selection/run-selector.js';
import { TRACT_TSV_COLUMNS } from '../tracts/tract-tsv.js';
import { groupByTags, type Grouping } from './group-by-tags.js';
import { readTsv } from './read-tsv.js';

/** One node of one along-tract profile of one study. */
export interface ProfilePoint {
  /** `PID#SID` of the study whose folder holds the table. */
  readonly study: string;
  readonly bundle: string;
  readonly measure: string;
  readonly node: number;
  readonly value: number;
  readonly group: string;
}

/** A table that could not be read, and why; the others are still plotted. */
export interface PlotProblem {
  readonly file: string;
  readonly reason: string;
}

/**
 * The along-tract profiles in the tract tables (`cohort tracts profile --tsv`, columns subject, study,
 * bundle, measure, node, value) matching `pattern` in the selected studies; rows without a node
 * (whole-bundle statistics) are left out. Each study's rows are attributed to the study whose folder
 * holds the file, whatever its subject/study cells say.
 */
export function profilePoints(
  db: Db,
  project: Project,
  selector: string,
  pattern: string,
  grouping: Grouping,
): { points: ProfilePoint[]; problems: PlotProblem[] } {
  const studies = selectStudies(db, project, parseSelector(selector)).studies;
  const requests: FileRequest[] = studies.map((study) => ({
    patterns: [pattern],
    target: { kind: 'study', study, label: study.ref, folder: study.folder },
  }));
  const matches = matchFiles(db, project, requests);
  const group = groupByTags(
    db,
    grouping,
    studies.map((s) => s.subjectId),
    studies.map((s) => s.studyId),
  );
  const points: ProfilePoint[] = [];
  const problems: PlotProblem[] = [];
  studies.forEach((study, i) => {
    const request = requests[i];
    if (request === undefined) return;
    for (const path of matches.get(request)) {
      const file = join(study.folder, path);
      try {
        for (const row of readTsv(file, TRACT_TSV_COLUMNS)) {
          const node = Number(row.node);
          const value = Number(row.value);
          if (row.node === '' || !Number.isFinite(node) || !Number.isFinite(value)) continue;
          points.push({
            study: study.ref,
            bundle: row.bundle ?? '',
            measure: row.measure ?? '',
            node,
            value,
            group: group(study.subjectId, study.studyId),
          });
        }
      } catch (error) {
        if (!isCohortError(error)) throw error;
        problems.push({ file: `${study.ref}/${path}`, reason: error.message });
      }
    }
  });
  return { points, problems };
}
