import { isCohortError } from '../errors/cohort-error.js';
import type { JobDefinition, StudyReference } from '../jobs/job-definition.js';
import { toLikePattern } from '../selection/like-pattern.js';
import { argumentLabel, batchLabel, jobLabel } from './batch-labels.js';

/** The parts of a batch the rules look at (jobs already checked by `validateJob`). */
interface ParsedBatch {
  readonly name: string;
  readonly level: 'study' | 'subject';
  readonly references?: Readonly<Record<string, StudyReference>>;
  readonly jobs: readonly JobDefinition[];
}

const REFERENCE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const SUBJECT_LEVEL_CURRENT =
  "'current study' has no meaning for a subject — choose oldest, latest, a tag or a named reference";

/**
 * The rules of a batch that no single job can check: references fit the batch's level, named references
 * exist and form no cycle, `matching` patterns and analysis folder names are valid. (Output paths,
 * patterns and argument names are job rules: `validateJob`.) Returns one message per problem.
 */
export function checkBatchRules(batch: ParsedBatch): string[] {
  const problems: string[] = [];
  const where = batchLabel(batch);
  const references = batch.references ?? {};
  for (const [name, ref] of Object.entries(references)) {
    const at = `${where}, reference '${name}'`;
    if (!REFERENCE_NAME.test(name)) {
      problems.push(`${at}: use letters, digits and _ starting with a letter, e.g. BASELINE`);
    }
    problems.push(...referenceProblems(at, ref, batch.level, references));
  }
  batch.jobs.forEach((job, j) => {
    job.args.forEach((arg, a) => {
      if ('ref' in arg) {
        const at = `${where}, ${jobLabel(job, j)}, ${argumentLabel(arg, a)}`;
        problems.push(...referenceProblems(at, arg.ref, batch.level, references));
        // One task writes for all items: a study of one of them is no place for it.
        if (job.level === 'group' && arg.type !== 'FILE' && arg.ref.kind !== 'analysis') {
          problems.push(
            `${at}: a group-level job writes once for all items — put its output in an analysis folder, ` +
              `e.g. ref ANALYSIS#group`,
          );
        }
      }
    });
    if (job.level === 'group' && job.options?.tagOnSuccess !== undefined) {
      problems.push(
        `${where}, ${jobLabel(job, j)}: a group-level job has no study to tag — drop tagOnSuccess or tag the ` +
          'outputs with TAG(...)',
      );
    }
  });
  return problems;
}

function referenceProblems(
  at: string,
  ref: StudyReference,
  level: ParsedBatch['level'],
  references: Readonly<Record<string, StudyReference>>,
): string[] {
  switch (ref.kind) {
    case 'current':
      return level === 'subject' ? [`${at}: ${SUBJECT_LEVEL_CURRENT}`] : [];
    case 'named': {
      if (!Object.hasOwn(references, ref.name)) {
        const defined = Object.keys(references);
        const known = defined.length > 0 ? ` (defined: ${defined.join(', ')})` : '';
        return [
          `${at}: reference '${ref.name}' is not defined by the batch${known} — add it under references, ` +
            `e.g. ${ref.name} = oldest, or choose another reference`,
        ];
      }
      const cycle = referenceCycle(ref.name, references);
      return cycle === null
        ? []
        : [`${at}: references ${cycle.join(' → ')} form a cycle — end it at a study`];
    }
    case 'matching':
      return patternProblems(at, ref.pattern);
    case 'analysis':
      return /^[^/\\.][^/\\]*$/.test(ref.name)
        ? []
        : [`${at}: analysis folder name '${ref.name}' must be a plain folder name, e.g. models`];
    case 'subject':
    case 'oldest':
    case 'latest':
    case 'tagged':
      return [];
  }
}

/** The chain of names that loops back (`A → B → A`), or null when following `name` ends at a study. */
export function referenceCycle(
  name: string,
  references: Readonly<Record<string, StudyReference>>,
): string[] | null {
  const chain = [name];
  let ref = references[name];
  while (ref?.kind === 'named') {
    const next = ref.name;
    if (chain.includes(next)) return [...chain.slice(chain.indexOf(next)), next];
    chain.push(next);
    ref = Object.hasOwn(references, next) ? references[next] : undefined;
  }
  return null;
}

function patternProblems(at: string, pattern: string): string[] {
  try {
    toLikePattern(pattern);
    return [];
  } catch (error) {
    if (!isCohortError(error)) throw error;
    return [`${at}: pattern '${pattern}': ${error.message} ${error.hint ?? ''}`.trim()];
  }
}
