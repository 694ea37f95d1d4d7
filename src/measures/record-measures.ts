import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Project } from '../catalog/project-store.js';
import { findStudy, findSubjectId } from '../catalog/study-lookup.js';
import type { Db } from '../db/open-database.js';
import { invalidInput } from '../errors/cohort-error.js';
import { parseMeasureValue, recordMeasures, validateMeasureKey } from './measure-store.js';

/** Where measures go: a study (`P001#20200101`) or a subject (`P001`). */
export type MeasureTarget = { readonly study: string } | { readonly subject: string };

/** What `cohort record` wrote. */
export interface RecordResult {
  readonly subject: string;
  readonly study: string | null;
  readonly recorded: number;
}

/**
 * Records numbers on a study or subject, noting the task that wrote them (`taskId`, inside a job).
 * Example: `recordOn(db, project, { study: 'P001#20200101' }, { fa_mean: 0.43 }, 12)`.
 *
 * @throws CohortError NOT_FOUND for an unknown study or subject; INVALID_INPUT for a bad key or value.
 */
export function recordOn(
  db: Db,
  project: Project,
  target: MeasureTarget,
  values: Readonly<Record<string, number>>,
  taskId?: number,
): RecordResult {
  const where =
    'study' in target
      ? (() => {
          const row = findStudy(db, project, target.study);
          return { subjectId: row.subjectId, studyId: row.id, subject: row.pid, study: row.sid };
        })()
      : {
          subjectId: findSubjectId(db, project, target.subject),
          studyId: null,
          subject: target.subject,
          study: null,
        };
  const entries = Object.entries(values);
  if (entries.length === 0) throw invalidInput('No measure given.', 'Give KEY VALUE, e.g. fa_mean 0.43.');
  recordMeasures(
    db,
    project.id,
    entries.map(([key, value]) => ({
      subjectId: where.subjectId,
      studyId: where.studyId,
      key,
      value,
      ...(taskId === undefined ? {} : { taskId }),
    })),
  );
  return { subject: where.subject, study: where.study, recorded: entries.length };
}

/**
 * Reads a JSON file of measures (`path` relative to `cwd`): an object of numbers, nested objects flattened with `.`
 * (`{"fa": {"mean": 0.4}}` gives `fa.mean`). Numeric strings are accepted ("0.43").
 *
 * @throws CohortError INVALID_INPUT naming the file and the first bad entry.
 */
export function readMeasuresFile(path: string, cwd = process.cwd()): Record<string, number> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(resolve(cwd, path), 'utf8'));
  } catch (cause) {
    throw invalidInput(
      `Cannot read measures from '${path}': ${(cause as Error).message}.`,
      'Give a JSON object of numbers, e.g. {"fa_mean": 0.43, "volume": {"gm": 512.5}}.',
    );
  }
  const out: Record<string, number> = {};
  const walk = (value: unknown, prefix: string): void => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix === '' ? k : `${prefix}.${k}`);
      return;
    }
    if (prefix === '' || !(typeof value === 'number' || typeof value === 'string')) {
      throw invalidInput(
        `'${path}'${prefix === '' ? '' : `, ${prefix}`}: expected an object of numbers, got ${JSON.stringify(value)}.`,
        'Give a JSON object of numbers, e.g. {"fa_mean": 0.43, "volume": {"gm": 512.5}}.',
      );
    }
    validateMeasureKey(prefix);
    out[prefix] = parseMeasureValue(prefix, value);
  };
  walk(json, '');
  return out;
}
