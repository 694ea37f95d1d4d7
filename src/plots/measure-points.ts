import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { listMeasures } from '../measures/measure-store.js';
import { parseSelector } from '../selection/parse-selector.js';
import { selectStudies } from '../selection/run-selector.js';
import { groupByTags, type Grouping } from './group-by-tags.js';

/** One number to plot: who recorded it, its key and its group. */
export interface MeasurePoint {
  readonly subject: string;
  /** Null for a measure recorded on the subject itself. */
  readonly study: string | null;
  readonly key: string;
  readonly value: number;
  readonly group: string;
}

/**
 * The measures jobs recorded (`cohort record`, the measures table) for the studies a selector picks
 * and their subjects, each with its group. This file is the only one the plots page's measures read
 * through: another source of numbers (a TSV export, say) plugs in here.
 * @example measurePoints(db, project, 'stag:baseline', { level: 'subject', tags: ['control', 'patient'] })
 */
export function measurePoints(
  db: Db,
  project: Project,
  selector: string,
  grouping: Grouping,
): MeasurePoint[] {
  const parsed = parseSelector(selector);
  const studies = selectStudies(db, project, parsed).studies;
  const subjectOf = new Map(studies.map((s) => [s.pid, s.subjectId]));
  const studyOf = new Map(studies.map((s) => [s.ref, s.studyId]));
  const group = groupByTags(
    db,
    grouping,
    [...subjectOf.values()],
    studies.map((s) => s.studyId),
  );
  return listMeasures(db, project, parsed).map((m) => ({
    subject: m.subject,
    study: m.study,
    key: m.key,
    value: m.value,
    group: group(
      subjectOf.get(m.subject) ?? 0,
      m.study === null ? null : (studyOf.get(`${m.subject}#${m.study}`) ?? null),
    ),
  }));
}
