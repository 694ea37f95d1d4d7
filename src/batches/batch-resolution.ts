import { CohortError } from '../errors/cohort-error.js';
import type { StudyRef } from '../selection/selection.js';
import type { BatchLevel } from './batch-definition.js';

/** A FILE argument whose input was found (or will be written by an earlier job of the batch). */
export interface FileResolution {
  readonly type: 'FILE';
  readonly name: string;
  readonly ok: true;
  /** Absolute paths: the first match by path, or every match when the argument is `multiple`. */
  readonly paths: readonly string[];
  /** How many files matched; more than `paths.length` when one file was expected. */
  readonly matched: number;
  /** Where they were looked for: `PID#SID` or `ANALYSIS#name`. */
  readonly location: string;
  /** The earlier job of the batch whose output this is, when the catalog does not hold it yet. */
  readonly producedBy?: string;
  /**
   * The input lies in an output folder (PATHOUT) of `producedBy`, so its file names are known only after
   * that job ran: `paths` is empty and the engine resolves the item again before this job.
   */
  readonly deferred?: boolean;
  /** For a `sidecar` argument: where each path came from, parallel to `paths` (`dataset level`...). */
  readonly origins?: readonly string[];
}

/** An OUT or PATHOUT argument: the absolute path the job writes. */
export interface OutputResolution {
  readonly type: 'OUT' | 'PATHOUT';
  readonly name: string;
  readonly ok: true;
  readonly path: string;
  /** `PID#SID` or `ANALYSIS#name`. */
  readonly location: string;
}

/** A plain value argument, passed through. */
export type ValueResolution =
  | { readonly type: 'NUMERIC'; readonly name: string; readonly ok: true; readonly value: number }
  | { readonly type: 'STRING' | 'OPTION'; readonly name: string; readonly ok: true; readonly value: string }
  | { readonly type: 'LOGICAL'; readonly name: string; readonly ok: true; readonly value: boolean };

/** An input or output that could not be resolved, with the reason in the user's words. */
export interface ArgumentMiss {
  readonly type: 'FILE' | 'OUT' | 'PATHOUT';
  readonly name: string;
  readonly ok: false;
  /** An optional FILE: the job still runs (with an empty list). */
  readonly optional: boolean;
  /** E.g. `no file matches t1*\/s0__.nii in P003#20200101`, `P003 has no study tagged baseline`. */
  readonly reason: string;
}

export type ArgumentResolution = FileResolution | OutputResolution | ValueResolution | ArgumentMiss;

export interface JobResolution {
  /** Position of the job in the batch, 0-based. */
  readonly index: number;
  readonly name: string;
  /** False when a required input or an output could not be resolved. */
  readonly runnable: boolean;
  readonly args: readonly ArgumentResolution[];
}

/** One item of the preview: a study (study level) or a subject with its studies (subject level). */
export interface ItemResolution {
  /** `PID#SID` at study level, `PID` at subject level: the key of the item's tasks. */
  readonly item: string;
  readonly subjectId: number;
  readonly pid: string;
  /** The item's study at study level; null at subject level. */
  readonly study: StudyRef | null;
  /** The subject's present studies, oldest first. */
  readonly studies: readonly StudyRef[];
  /** Every job can get its required inputs and outputs. */
  readonly runnable: boolean;
  /** Why the item cannot run: `job 'Y', argument 'f1': <reason>`. */
  readonly problems: readonly string[];
  /** What does not stop it: missing optional inputs, several matches where one was expected. */
  readonly warnings: readonly string[];
  readonly jobs: readonly JobResolution[];
}

/** The item key of a group-level job's task: it runs for all items of the selection. */
export const GROUP_ITEM = '*';

/**
 * The group-level jobs of a batch resolved over the ready items: each FILE argument lists the files of
 * every ready item in item order (`location`: `N items`), outputs lie in an analysis folder.
 */
export interface GroupResolution {
  /** {@link GROUP_ITEM}. */
  readonly item: typeof GROUP_ITEM;
  /** The items whose files the group jobs get (the ready ones). */
  readonly items: readonly string[];
  readonly runnable: boolean;
  readonly problems: readonly string[];
  /** Only the group-level jobs; `index` is the job's position in the batch. */
  readonly jobs: readonly JobResolution[];
}

/** One output path written by tasks of more than one item of a run: they would overwrite each other. */
export interface OutputCollision {
  readonly path: string;
  /** `PID#SID: job 'X'` for each writer, in item order. */
  readonly writers: readonly string[];
}

/** An item that is missing something, for the summary. */
export interface ItemMissing {
  readonly item: string;
  readonly runnable: boolean;
  readonly reasons: readonly string[];
}

/** The resolution preview of a batch over a selection. */
export interface BatchResolution {
  readonly batch: string;
  readonly level: BatchLevel;
  readonly items: readonly ItemResolution[];
  /** Present when the batch has group-level jobs. */
  readonly group?: GroupResolution;
  /** Outputs that two tasks would write (group-level jobs excepted): `run` refuses these. */
  readonly collisions: readonly OutputCollision[];
  readonly summary: {
    readonly total: number;
    /** Items that can run (possibly without some optional inputs). */
    readonly ready: number;
    readonly notRunnable: number;
    /** Items with a missing input, required or optional, with the reasons. */
    readonly missing: readonly ItemMissing[];
  };
}

/** An argument value as the command builder receives it. */
export type ResolvedValue = readonly string[] | string | number | boolean;

/**
 * The argument values of one job of a resolved item, by argument name: FILE → absolute paths (empty for
 * a missing optional input), OUT/PATHOUT → absolute path, NUMERIC/STRING/LOGICAL/OPTION → the value.
 *
 * @throws CohortError INVALID_INPUT when the job has an unresolved required argument, NOT_AVAILABLE when
 *   an input is deferred (resolve the item again after the job that writes it), NOT_FOUND for a bad index.
 */
export function resolvedArguments(
  item: Pick<ItemResolution, 'item' | 'jobs'>,
  jobIndex: number,
): Record<string, ResolvedValue> {
  // By index, not position: a group resolution holds only the group-level jobs.
  const job = item.jobs.find((j) => j.index === jobIndex);
  if (job === undefined) {
    throw new CohortError('NOT_FOUND', `The batch has no job ${jobIndex + 1} (it has ${item.jobs.length}).`);
  }
  const values: Record<string, ResolvedValue> = {};
  for (const arg of job.args) {
    if (!arg.ok) {
      if (arg.optional) {
        values[arg.name] = [];
        continue;
      }
      throw new CohortError(
        'INVALID_INPUT',
        `${item.item}, job '${job.name}', argument '${arg.name}': ${arg.reason}.`,
        {
          hint: 'Run only the items the preview shows as ready, or fix the input and preview again.',
          context: { item: item.item, job: job.name, argument: arg.name },
        },
      );
    }
    switch (arg.type) {
      case 'FILE':
        if (arg.deferred === true) {
          throw new CohortError(
            'NOT_AVAILABLE',
            `${item.item}, job '${job.name}', argument '${arg.name}' is written by job '${arg.producedBy ?? '?'}'.`,
            { hint: 'Resolve the item again after that job has run.', retryable: true },
          );
        }
        values[arg.name] = arg.paths;
        break;
      case 'OUT':
      case 'PATHOUT':
        values[arg.name] = arg.path;
        break;
      default:
        values[arg.name] = arg.value;
    }
  }
  return values;
}
