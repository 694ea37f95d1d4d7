import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { fileConditions } from '../selection/file-conditions.js';
import type { StudyRef } from '../selection/selection.js';
import type { BatchDefinition } from './batch-definition.js';
import type { BatchResolution, ItemResolution } from './batch-resolution.js';
import { fileLocator } from './file-locator.js';
import { generaliseUntilResolved } from './generalise-pattern.js';
import { matchFiles } from './match-files.js';
import type { ReferenceTarget } from './resolve-study-reference.js';

/** A generalised pattern the preview proposes for a FILE argument that some items miss. */
export interface PatternProposal {
  readonly jobIndex: number;
  readonly job: string;
  readonly argument: string;
  /** The argument's patterns now. */
  readonly from: readonly string[];
  /** The proposed pattern, replacing them. */
  readonly pattern: string;
  /** Items missing the input now, and with the proposed pattern. */
  readonly missingNow: number;
  readonly missingAfter: number;
}

/**
 * For every FILE argument of the current study that some items of a study-level preview miss, the
 * generalisation ({@link generaliseUntilResolved}) of a file it did find (or of its pattern, when it
 * found none) that matches in the most items: `t1_mprage_sag/s001.nii` → `t1*\/s0__.nii`. Proposed
 * only when it finds the input in more items than the pattern does now. One query per step tried.
 */
export function proposePatterns(
  db: Db,
  project: Project,
  batch: BatchDefinition,
  resolution: BatchResolution,
): PatternProposal[] {
  if (batch.level !== 'study') return [];
  const collector = new ProposalCollector(batch);
  for (const item of resolution.items) collector.add(item);
  return collector.propose(db, project);
}

/** What a proposal needs of one argument: the items' studies, how many miss it, a file it found. */
interface Candidate {
  readonly jobIndex: number;
  readonly argIndex: number;
  readonly studies: StudyRef[];
  missingNow: number;
  seed: string | null;
  /** Studies of counted items (no paths) that found the input before any seed, in item order. */
  readonly pending: StudyRef[];
}

/**
 * {@link proposePatterns} fed one item at a time (a preview keeps only a page of items): per candidate
 * argument, the items' studies (which the scope holds anyway), the number of misses and one seed.
 */
export class ProposalCollector {
  readonly #batch: BatchDefinition;
  readonly #candidates: Candidate[] = [];

  constructor(batch: BatchDefinition) {
    this.#batch = batch;
    if (batch.level !== 'study') return;
    batch.jobs.forEach((job, jobIndex) => {
      job.args.forEach((arg, argIndex) => {
        // Optional inputs are expected to be absent in some items: nothing to propose.
        if (arg.type !== 'FILE' || arg.ref.kind !== 'current' || arg.sidecar !== undefined) return;
        if (arg.optional === true) return;
        const conditions = fileConditions(arg.patterns);
        if (conditions.tags.length > 0 || conditions.entities.length > 0) return;
        this.#candidates.push({ jobIndex, argIndex, studies: [], missingNow: 0, seed: null, pending: [] });
      });
    });
  }

  add(item: ItemResolution): void {
    for (const c of this.#candidates) {
      const resolved = item.jobs[c.jobIndex]?.args[c.argIndex];
      if (item.study === null || resolved === undefined || resolved.type !== 'FILE') continue;
      c.studies.push(item.study);
      if (!resolved.ok) c.missingNow++;
      else if (c.seed === null && resolved.producedBy === undefined) {
        const path = resolved.paths[0];
        // A counted item has no paths: its first match is looked up if a proposal is needed.
        if (path === undefined) c.pending.push(item.study);
        else if (path.startsWith(`${item.study.folder}/`)) c.seed = path.slice(item.study.folder.length + 1);
      }
    }
  }

  /** The proposals, querying the catalog for the candidates some items miss. */
  propose(db: Db, project: Project): PatternProposal[] {
    const proposals: PatternProposal[] = [];
    for (const { jobIndex, argIndex, studies, missingNow, seed: shown, pending } of this.#candidates) {
      const job = this.#batch.jobs[jobIndex];
      const arg = job?.args[argIndex];
      if (job === undefined || arg?.type !== 'FILE') continue;
      if (missingNow === 0 || studies.length === 0) continue;
      const seed = seedOf(db, project, arg.patterns, pending) ?? shown;
      const found = generaliseUntilResolved(db, project, studies, seed ?? arg.patterns[0] ?? '*');
      if (found.missing.length >= missingNow) continue;
      proposals.push({
        jobIndex,
        job: job.name,
        argument: arg.name,
        from: arg.patterns,
        pattern: found.pattern,
        missingNow,
        missingAfter: found.missing.length,
      });
    }
    return proposals;
  }
}

/**
 * The first of `studies` whose first match (by path) lies in its own folder gives the seed, the path
 * relative to it, as a shown item's paths would have (BIDS derivatives lie elsewhere); null if none.
 */
function seedOf(
  db: Db,
  project: Project,
  patterns: readonly string[],
  studies: readonly StudyRef[],
): string | null {
  if (studies.length === 0) return null;
  const target = (study: StudyRef): ReferenceTarget => ({
    kind: 'study',
    study,
    label: study.ref,
    folder: study.folder,
  });
  const matches = matchFiles(
    db,
    project,
    studies.map((study) => ({ patterns, target: target(study) })),
  );
  const locator = fileLocator(project);
  for (const study of studies) {
    const first = matches.get({ patterns, target: target(study) })[0];
    if (first === undefined) continue;
    const path = locator.absolute(target(study), first);
    if (path.startsWith(`${study.folder}/`)) return path.slice(study.folder.length + 1);
  }
  return null;
}

/** The batch with the proposals adopted: each proposed argument's patterns replaced by the proposal. */
export function adoptProposals(
  batch: BatchDefinition,
  proposals: readonly PatternProposal[],
): BatchDefinition {
  return {
    ...batch,
    jobs: batch.jobs.map((job, jobIndex) => ({
      ...job,
      args: job.args.map((arg) => {
        const proposal = proposals.find((p) => p.jobIndex === jobIndex && p.argument === arg.name);
        return proposal === undefined || arg.type !== 'FILE' ? arg : { ...arg, patterns: [proposal.pattern] };
      }),
    })),
  };
}
