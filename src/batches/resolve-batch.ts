import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import type { JobArgument } from '../jobs/job-definition.js';
import type { StudyRef } from '../selection/selection.js';
import { validateBatch, type BatchDefinition } from './batch-definition.js';
import type { BatchResolution, ItemMissing, ItemResolution } from './batch-resolution.js';
import { loadBatchScope, loadStudyTags, type BatchItems } from './load-batch-scope.js';
import { fileLocator } from './file-locator.js';
import { matchFiles, type FileRequest } from './match-files.js';
import { outputCollisions } from './output-collisions.js';
import { resolveGroupJobs } from './resolve-group-jobs.js';
import { resolveItemJobs, type ItemPlan, type PlannedArgument } from './resolve-item-jobs.js';
import { resolveStudyReference, type ReferenceContext } from './resolve-study-reference.js';

const NO_TAGS: ReadonlySet<string> = new Set();

/**
 * The resolution preview: for every item (a study at study level, a subject at subject level), every
 * job and every argument, the absolute input paths, the output paths and the values the job would get,
 * or why an input is missing. A missing required input makes the item not runnable; a missing optional
 * one only adds a warning.
 *
 * The statement count does not grow with the number of items: the studies of the selected subjects
 * (one or two statements), their tags when a `tagged` reference needs them, and one statement per
 * distinct pattern set; references resolve in memory. All run in one read transaction, so the preview
 * sees one state of the catalog.
 *
 * Example: `resolveBatch(db, project, batch, { selector: '*#LATEST stag:qc_ok' })` or
 * `resolveBatch(db, project, batch, { filter: 'P00 & STAG:control' })`.
 *
 * @throws CohortError INVALID_INPUT when the batch is invalid (see `validateBatch`); SYNTAX for a bad
 *   selector or filter text.
 */
export function resolveBatch(
  db: Db,
  project: Project,
  batch: BatchDefinition,
  items: BatchItems = 'all',
): BatchResolution {
  const definition = validateBatch(batch);
  return db.transaction((): BatchResolution => {
    const scope = loadBatchScope(db, project, items);
    const tags = usesTags(definition)
      ? loadStudyTags(
          db,
          scope.subjects.flatMap((s) => s.studies.map((study) => study.studyId)),
        )
      : new Map<number, Set<string>>();
    const groups = new Map(scope.subjects.map((g) => [g.subjectId, g]));
    const units =
      definition.level === 'study'
        ? scope.selected.flatMap((study) => {
            const group = groups.get(study.subjectId);
            return group === undefined ? [] : [{ item: study.ref, group, study }];
          })
        : scope.subjects.map((group) => ({ item: group.pid, group, study: null }));
    const plans = units.map((unit): ItemPlan => {
      const context: ReferenceContext = {
        pid: unit.group.pid,
        studies: unit.group.studies,
        tagsOf: (id) => tags.get(id) ?? NO_TAGS,
        current: unit.study ?? undefined,
        subjectLevel: scope.subjectLevels.get(unit.group.subjectId),
        references: definition.references,
        project,
      };
      return { ...unit, jobs: definition.jobs.map((job) => job.args.map((arg) => plan(arg, context))) };
    });
    const matches = matchFiles(db, project, fileRequests(plans));
    const locator = fileLocator(project);
    const resolved = plans.map((p) => resolveItemJobs(definition, p, matches, locator));
    const unknown = scope.unknown
      .filter((s) => definition.level === 'study' || !groups.has(s.subjectId))
      .map((s) => unknownItem(s, definition.level, project));
    return summarise(definition, [...resolved, ...unknown]);
  })();
}

function plan(arg: JobArgument, context: ReferenceContext): PlannedArgument {
  return arg.type === 'FILE' || arg.type === 'OUT' || arg.type === 'PATHOUT'
    ? { arg, reference: resolveStudyReference(arg.ref, context) }
    : { arg, reference: null };
}

function* fileRequests(plans: readonly ItemPlan[]): Generator<FileRequest> {
  for (const item of plans) {
    for (const job of item.jobs) {
      for (const { arg, reference } of job) {
        if (arg.type === 'FILE' && reference?.ok === true) {
          yield { patterns: arg.patterns, target: reference.target };
        }
      }
    }
  }
}

// Tags are the only per-study data references need besides the order; skip reading them when unused.
function usesTags(batch: BatchDefinition): boolean {
  const refs = [
    ...Object.values(batch.references ?? {}),
    ...batch.jobs.flatMap((job) => job.args.flatMap((arg) => ('ref' in arg ? [arg.ref] : []))),
  ];
  return refs.some((ref) => ref.kind === 'tagged');
}

function unknownItem(study: StudyRef, level: BatchDefinition['level'], project: Project): ItemResolution {
  return {
    item: level === 'study' ? study.ref : study.pid,
    subjectId: study.subjectId,
    pid: study.pid,
    study: level === 'study' ? study : null,
    studies: [],
    runnable: false,
    problems: [`${study.ref} is not a present study of project '${project.name}' (rescan, or select again)`],
    warnings: [],
    jobs: [],
  };
}

function summarise(batch: BatchDefinition, items: readonly ItemResolution[]): BatchResolution {
  const missing: ItemMissing[] = [];
  for (const item of items) {
    // Optional misses count as missing inputs here, though they do not stop the item.
    const optional = item.jobs.flatMap((job) =>
      job.args.flatMap((arg) =>
        !arg.ok && arg.optional
          ? [`job '${job.name}', argument '${arg.name}' (optional): ${arg.reason}`]
          : [],
      ),
    );
    if (item.problems.length > 0 || optional.length > 0) {
      missing.push({ item: item.item, runnable: item.runnable, reasons: [...item.problems, ...optional] });
    }
  }
  const ready = items.filter((item) => item.runnable).length;
  const group = resolveGroupJobs(batch, items);
  return {
    batch: batch.name,
    level: batch.level,
    items,
    ...(group === undefined ? {} : { group }),
    collisions: outputCollisions(batch, items),
    summary: { total: items.length, ready, notRunnable: items.length - ready, missing },
  };
}
