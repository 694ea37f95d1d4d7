import { resolve } from 'node:path';
import type { Project } from '../catalog/project-store.js';
import type { StudyReference } from '../jobs/job-definition.js';
import type { StudyRef } from '../selection/selection.js';
import { SUBJECT_LEVEL_SID } from '../catalog/layout/subject-level.js';
import { describeReference } from './batch-labels.js';
import { referenceCycle } from './check-batch-rules.js';
import { patternRegex } from './pattern-regex.js';

/** What a reference resolves against: one subject's present studies and their tags. */
export interface ReferenceContext {
  /** Subject id, for messages. */
  readonly pid: string;
  /** The subject's present studies, oldest first (catalog sort key, then sid). */
  readonly studies: readonly StudyRef[];
  /** Tags of a study; only asked for `tagged` references. */
  readonly tagsOf: (studyId: number) => ReadonlySet<string>;
  /** The item's study at study level; absent at subject level. */
  readonly current?: StudyRef;
  /** The subject's own container (BIDS files beside its sessions), when it has one. */
  readonly subjectLevel?: StudyRef;
  /** The batch's named references. */
  readonly references?: Readonly<Record<string, StudyReference>>;
  readonly project: Pick<Project, 'root' | 'analysisFolder'>;
}

/** Where a reference points: a study, or an analysis folder (which may not exist yet). */
export type ReferenceTarget =
  | {
      readonly kind: 'study';
      readonly study: StudyRef;
      /** `PID#SID`. */
      readonly label: string;
      /** Absolute folder. */
      readonly folder: string;
    }
  | {
      readonly kind: 'analysis';
      readonly name: string;
      /** `ANALYSIS#name`. */
      readonly label: string;
      /** Absolute folder: `<root>/<analysisFolder>/<name>`. */
      readonly folder: string;
    };

/** The target, or why there is none, e.g. `P003 has only 1 study; OLDEST+1 needs 2`. */
export type ReferenceResolution =
  { readonly ok: true; readonly target: ReferenceTarget } | { readonly ok: false; readonly reason: string };

// Compiled once per reference object: a batch's reference objects are shared by all its items.
const regexCache = new WeakMap<object, RegExp>();

/**
 * Resolves a study reference in memory for one subject (no database access, so a preview over
 * thousands of subjects costs no query per item).
 *
 * - `current`: the item's study (study level only);
 * - `oldest`/`latest` with `offset`: counted from either end of the chronological order;
 * - `tagged`: the latest study carrying the tag; `matching`: the latest whose sid matches the pattern;
 * - `named`: the batch's reference of that name, followed (cycles are reported, not followed forever);
 * - `analysis`: the analysis folder, whether or not it exists yet (outputs may create it).
 */
export function resolveStudyReference(ref: StudyReference, context: ReferenceContext): ReferenceResolution {
  const { pid, studies } = context;
  switch (ref.kind) {
    case 'current':
      return context.current === undefined
        ? fail(
            "'current study' has no meaning for a subject; choose oldest, latest, a tag or a named reference",
          )
        : found(context.current);
    case 'oldest':
    case 'latest': {
      const offset = ref.offset ?? 0;
      const study = ref.kind === 'oldest' ? studies[offset] : studies[studies.length - 1 - offset];
      if (study !== undefined) return found(study);
      const has = studies.length === 0 ? 'has no study' : `has only ${count(studies.length)}`;
      return fail(`${pid} ${has}; ${describeReference(ref)} needs ${offset + 1}`);
    }
    case 'tagged': {
      const study = studies.findLast((s) => context.tagsOf(s.studyId).has(ref.tag));
      return study === undefined ? fail(`${pid} has no study tagged ${ref.tag}`) : found(study);
    }
    case 'matching': {
      let regex = regexCache.get(ref);
      if (regex === undefined) {
        regex = patternRegex(ref.pattern);
        regexCache.set(ref, regex);
      }
      const test = regex;
      const study = studies.findLast((s) => test.test(s.sid));
      return study === undefined ? fail(`${pid} has no study matching ${ref.pattern}`) : found(study);
    }
    case 'named':
      return resolveNamed(ref.name, context);
    case 'subject':
      return context.subjectLevel === undefined
        ? fail(`${pid} has no files of its own beside its sessions (no ${pid}#${SUBJECT_LEVEL_SID})`)
        : found(context.subjectLevel);
    case 'analysis': {
      const { root, analysisFolder } = context.project;
      return {
        ok: true,
        target: {
          kind: 'analysis',
          name: ref.name,
          label: `ANALYSIS#${ref.name}`,
          folder: resolve(root, analysisFolder, ref.name),
        },
      };
    }
  }
}

function resolveNamed(name: string, context: ReferenceContext): ReferenceResolution {
  const references = context.references ?? {};
  const ref = Object.hasOwn(references, name) ? references[name] : undefined;
  if (ref === undefined) return fail(`the batch defines no reference named ${name}`);
  const cycle = referenceCycle(name, references);
  if (cycle !== null) return fail(`references ${cycle.join(' → ')} form a cycle`);
  const result = resolveStudyReference(ref, context);
  // Name the reference in the reason: "BASELINE (OLDEST+1): P003 has only 1 study...".
  return result.ok ? result : fail(`${name} (${describeReference(ref)}): ${result.reason}`);
}

function found(study: StudyRef): ReferenceResolution {
  return { ok: true, target: { kind: 'study', study, label: study.ref, folder: study.folder } };
}

function fail(reason: string): ReferenceResolution {
  return { ok: false, reason };
}

function count(n: number): string {
  return n === 1 ? '1 study' : `${n} studies`;
}
