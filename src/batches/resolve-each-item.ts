import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import type { JobArgument } from '../jobs/job-definition.js';
import type { StudyRef, SubjectGroup } from '../selection/selection.js';
import type { BatchDefinition } from './batch-definition.js';
import type { ItemResolution } from './batch-resolution.js';
import { fileLocator } from './file-locator.js';
import { loadBatchScope, loadStudyTags, type BatchItems, type BatchScope } from './load-batch-scope.js';
import { countFiles, type CountScope } from './count-files.js';
import { matchFiles, type FileRequest } from './match-files.js';
import {
  resolveItemJobs,
  type CatalogFiles,
  type ItemPlan,
  type PlannedArgument,
} from './resolve-item-jobs.js';
import { resolveStudyReference, type ReferenceContext } from './resolve-study-reference.js';

const NO_TAGS: ReadonlySet<string> = new Set();

/** One item before its references are resolved. */
interface Unit {
  readonly item: string;
  readonly group: SubjectGroup;
  readonly study: StudyRef | null;
}

/**
 * Resolves every item of a (validated) batch over a selection and hands each to `visit` in preview
 * order (the selection's items, then the given studies the catalog no longer has), without keeping
 * them: a caller keeps what it needs (every item for a run, a page and counts for a preview). Returns
 * the number of items. Call it inside a read transaction, so that all statements see one catalog.
 *
 * The statement count does not grow with the number of items: the studies of the selected subjects
 * (one or two statements), their tags when a `tagged` reference needs them, and one statement per
 * distinct pattern set; references resolve in memory. They resolve twice for the items given paths,
 * once to collect the file requests and once to build the item, so that no per-argument plan outlives
 * its item (a plan of every argument of 100,000 subjects was 1.8 million long-lived objects for the
 * garbage collector).
 *
 * With `shown`, only the items it accepts get their input paths; the others learn only how many files
 * match (see `CatalogFiles`), which is all their counts need, unless the batch has sidecar arguments
 * or group-level jobs (these list every item's files), where every item gets its paths.
 */
export function resolveEachItem(
  db: Db,
  project: Project,
  definition: BatchDefinition,
  items: BatchItems,
  visit: (item: ItemResolution, index: number) => void,
  shown?: (index: number) => boolean,
): number {
  const scope = loadBatchScope(db, project, items);
  const tags = usesTags(definition)
    ? loadStudyTags(
        db,
        scope.subjects.flatMap((s) => s.studies.map((study) => study.studyId)),
      )
    : new Map<number, Set<string>>();
  const groups = new Map(scope.subjects.map((g) => [g.subjectId, g]));
  const units: Unit[] =
    definition.level === 'study'
      ? scope.selected.flatMap((study) => {
          const group = groups.get(study.subjectId);
          return group === undefined ? [] : [{ item: study.ref, group, study }];
        })
      : scope.subjects.map((group) => ({ item: group.pid, group, study: null }));
  const tagsOf = (id: number): ReadonlySet<string> => tags.get(id) ?? NO_TAGS;
  const planOf = (unit: Unit): ItemPlan => {
    const context: ReferenceContext = {
      pid: unit.group.pid,
      studies: unit.group.studies,
      tagsOf,
      current: unit.study ?? undefined,
      subjectLevel: scope.subjectLevels.get(unit.group.subjectId),
      references: definition.references,
      project,
    };
    return { ...unit, jobs: definition.jobs.map((job) => job.args.map((arg) => plan(arg, context))) };
  };
  const detailed = shown === undefined || !countsSuffice(definition) ? () => true : shown;
  const paths: CatalogFiles = {
    paths: matchFiles(db, project, fileRequests(units, planOf, detailed)),
  };
  const counts: CatalogFiles | null = units.every((_, i) => detailed(i))
    ? null
    : { counts: countFiles(db, project, countScope(definition, scope)) };
  const locator = fileLocator(project);
  let index = 0;
  for (const unit of units) {
    const files = counts === null || detailed(index) ? paths : counts;
    visit(resolveItemJobs(definition, planOf(unit), files, locator), index++);
  }
  for (const study of scope.unknown) {
    if (definition.level === 'subject' && groups.has(study.subjectId)) continue;
    visit(unknownItem(study, definition.level, project), index++);
  }
  return index;
}

function plan(arg: JobArgument, context: ReferenceContext): PlannedArgument {
  return arg.type === 'FILE' || arg.type === 'OUT' || arg.type === 'PATHOUT'
    ? { arg, reference: resolveStudyReference(arg.ref, context) }
    : { arg, reference: null };
}

function* fileRequests(
  units: readonly Unit[],
  planOf: (unit: Unit) => ItemPlan,
  wanted: (index: number) => boolean,
): Generator<FileRequest> {
  for (const [index, unit] of units.entries()) {
    if (!wanted(index)) continue;
    for (const job of planOf(unit).jobs) {
      for (const { arg, reference } of job) {
        if (arg.type === 'FILE' && reference?.ok === true) {
          yield { patterns: arg.patterns, target: reference.target };
        }
      }
    }
  }
}

/** Every pattern set of the batch in every study of the scope's subjects and every analysis it names. */
function countScope(definition: BatchDefinition, scope: BatchScope): CountScope {
  const args = definition.jobs.flatMap((job) => job.args);
  const refs = [
    ...Object.values(definition.references ?? {}),
    ...args.flatMap((a) => ('ref' in a ? [a.ref] : [])),
  ];
  return {
    patternSets: args.flatMap((arg) => (arg.type === 'FILE' ? [arg.patterns] : [])),
    studyIds: [
      ...scope.subjects.flatMap((s) => s.studies.map((study) => study.studyId)),
      ...[...scope.subjectLevels.values()].map((study) => study.studyId),
    ],
    analyses: [...new Set(refs.flatMap((ref) => (ref.kind === 'analysis' ? [ref.name] : [])))],
  };
}

// Sidecars are looked up by the names of the matched files; a group job lists every item's files.
function countsSuffice(batch: BatchDefinition): boolean {
  return batch.jobs.every(
    (job) =>
      job.level !== 'group' && job.args.every((arg) => arg.type !== 'FILE' || arg.sidecar === undefined),
  );
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
