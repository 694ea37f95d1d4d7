import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { toLikePattern } from '../selection/like-pattern.js';
import type { StudyRef } from '../selection/selection.js';

// Up to two short extensions: `.nii`, `.nii.gz`, `.tck`, `.json`.
const EXTENSION = /(?:\.[A-Za-z][A-Za-z0-9]{0,5}){1,2}$/;
const PART_SEPARATOR = /[_\-. ]/;

/**
 * The composer's generalisations of a pattern (usually the path of a file the user picked in one study),
 * from the pattern itself to the most general, each step matching at least what the one before matched:
 *
 * 1. digits of the file name become `_`, one at a time from the right, keeping the first digit of a
 *    number (`s001` → `s00_` → `s0__`); digits between letters (`T1w`) are names, not counters;
 * 2. folder names lose a leading number (`0005_t1` → `*_t1`), then their trailing parts, one at a time
 *    (`t1_mprage_sag` → `t1_mprage*` → `t1*`), deepest folder first;
 * 3. the file stem keeps only its last `_` part when that is a word (BIDS: `sub-01_T1w` → `*_T1w`);
 * 4. the file stem becomes `*` (the extension stays);
 * 5. the folders become `*`.
 *
 * Example (`*\/` stands for `*` + `/`, which would end this comment): `t1_mprage_sag/s001.nii` →
 * `t1_mprage_sag/s00_.nii` → `t1_mprage_sag/s0__.nii` → `t1_mprage*\/s0__.nii` → `t1*\/s0__.nii` →
 * `t1*\/*.nii` → `*\/*.nii`.
 */
export function generalisations(pattern: string): string[] {
  const folders = pattern.split('/');
  const file = folders.pop() ?? '';
  const extension = EXTENSION.exec(file.slice(1))?.[0] ?? '';
  const original = file.slice(0, file.length - extension.length);
  let stem = original;
  const steps: string[] = [];
  const push = (): void => {
    const next = [...folders, `${stem}${extension}`].join('/');
    if (!steps.includes(next)) steps.push(next);
  };
  push();
  for (const next of digitSteps(stem)) {
    stem = next;
    push();
  }
  for (let i = folders.length - 1; i >= 0; i--) {
    for (const next of folderSteps(folders[i] ?? '')) {
      folders[i] = next;
      push();
    }
  }
  // Digit steps keep the length, so the original's last part sits at the same place in the stem.
  const lastPart = original.slice(original.lastIndexOf('_') + 1);
  if (original.includes('_') && /[A-Za-z]/.test(lastPart)) {
    stem = `*_${stem.slice(stem.length - lastPart.length)}`;
    push();
  }
  stem = '*';
  push();
  for (let i = folders.length - 1; i >= 0; i--) {
    folders[i] = '*';
    push();
  }
  return steps;
}

/** The file-name steps: `s001` → `s00_` → `s0__`; `run-7` → `run-_`. */
function digitSteps(stem: string): string[] {
  const steps: string[] = [];
  const chars = [...stem];
  const runs = [...stem.matchAll(/\d+/g)].filter((run) => {
    const start = run.index;
    const end = start + run[0].length;
    const letterBefore = /[A-Za-z]/.test(stem.charAt(start - 1));
    const letterAfter = /[A-Za-z]/.test(stem.charAt(end));
    // A backslash escapes the next character; never turn `\1` into `\_` (a literal underscore).
    return !(letterBefore && letterAfter) && stem.charAt(start - 1) !== '\\';
  });
  for (const run of runs.reverse()) {
    const keep = run[0].length > 1 ? 1 : 0;
    for (let i = run.index + run[0].length - 1; i >= run.index + keep; i--) {
      chars[i] = '_';
      steps.push(chars.join(''));
    }
  }
  return steps;
}

/** The folder steps: `0005_t1_mprage_sag` → `*_t1_mprage_sag` → `*_t1_mprage*` → `*_t1*`. */
function folderSteps(folder: string): string[] {
  const steps: string[] = [];
  let current = folder;
  const leadingNumber = /^\d+(?=[_\-. ])/.exec(current);
  if (leadingNumber !== null) {
    current = `*${current.slice(leadingNumber[0].length)}`;
    steps.push(current);
  }
  // Cut at the last separator that leaves a non-empty, non-wildcard-only head.
  for (;;) {
    const body = current.endsWith('*') ? current.slice(0, -1) : current;
    let cut = -1;
    for (let i = body.length - 1; i > 0; i--) {
      if (PART_SEPARATOR.test(body.charAt(i)) && body.slice(0, i).replace(/\*/g, '').length > 0) {
        cut = i;
        break;
      }
    }
    if (cut < 0) return steps;
    current = `${body.slice(0, cut)}*`;
    steps.push(current);
  }
}

/** The result of {@link generaliseUntilResolved}. */
export interface Generalisation {
  /** The first pattern found in every study, or the one found in most (the most specific on a tie). */
  readonly pattern: string;
  /** Found in every study. */
  readonly complete: boolean;
  /** Studies in which `pattern` matches no present file. */
  readonly missing: readonly StudyRef[];
  /** How many generalisations were tried (one query each). */
  readonly tried: number;
}

/**
 * Generalises a pattern until it matches a present file in every given study, trying
 * {@link generalisations} in order with one query per step.
 *
 * Example: a file picked in P001 (`t1_mprage_sag/s001.nii`) becomes `t1*\/s0__.nii` when other studies
 * name the series `t1_mprage_tra` and number their files differently.
 */
export function generaliseUntilResolved(
  db: Db,
  project: Project,
  studies: readonly StudyRef[],
  pattern: string,
): Generalisation {
  const ids = JSON.stringify(studies.map((s) => s.studyId));
  // project_id keeps a study of another project (a caller's mistake) from ever counting.
  const query = db
    .prepare(
      `SELECT DISTINCT f.study_id FROM files f
       WHERE f.study_id IS NOT NULL AND f.study_id IN (SELECT value FROM json_each(?))
         AND f.project_id = ? AND f.present = 1 AND f.path LIKE ? ESCAPE '\\'`,
    )
    .pluck();
  let best: Generalisation | null = null;
  const candidates = generalisations(pattern);
  for (const [index, candidate] of candidates.entries()) {
    const found = new Set(query.all(ids, project.id, toLikePattern(candidate)) as number[]);
    const missing = studies.filter((s) => !found.has(s.studyId));
    const result = { pattern: candidate, complete: missing.length === 0, missing, tried: index + 1 };
    if (result.complete) return result;
    if (best === null || missing.length < best.missing.length) best = result;
  }
  return { ...(best ?? { pattern, complete: false, missing: studies }), tried: candidates.length };
}
