import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bidsLayout } from './bids-layout.js';
import { foldersLayout } from './folders-layout.js';
import type { Layout, LayoutKind } from './layout.js';

export function makeLayout(kind: LayoutKind, analysisFolder: string): Layout {
  switch (kind) {
    case 'folders':
      return foldersLayout(analysisFolder);
    case 'bids':
      return bidsLayout();
  }
}

/** Guesses a tree's layout; see {@link detectLayoutWithReason}. */
export function detectLayout(root: string): LayoutKind {
  return detectLayoutWithReason(root).kind;
}

/** A guessed layout, why, and a warning when the guess may be wrong. */
export interface LayoutGuess {
  readonly kind: LayoutKind;
  readonly reason: string;
  readonly warning?: string;
}

// Top-level folders BIDS allows besides sub-*: they are no subjects.
const BIDS_OTHER_FOLDERS = new Set(['derivatives', 'sourcedata', 'code', 'stimuli', 'phenotype']);

/**
 * Guesses a tree's layout: BIDS when it has `dataset_description.json`, or when its folders are `sub-*`
 * and BIDS's own (derivatives, sourcedata, code...) — then with a warning, since the file BIDS requires
 * is missing. A tree mixing `sub-*` with other folders is `folders`, with a warning. An unreadable or
 * missing root guesses `folders`; creating the project then reports the real problem.
 */
export function detectLayoutWithReason(root: string): LayoutGuess {
  if (existsSync(join(root, 'dataset_description.json'))) {
    return { kind: 'bids', reason: 'dataset_description.json found' };
  }
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return { kind: 'folders', reason: 'the root cannot be listed' };
  }
  const dirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  const subjects = dirs.filter((d) => d.startsWith('sub-'));
  const others = dirs.filter((d) => !d.startsWith('sub-') && !BIDS_OTHER_FOLDERS.has(d));
  if (subjects.length > 0 && others.length === 0) {
    return {
      kind: 'bids',
      reason: `${subjects.length} sub-* folder(s)`,
      warning:
        'no dataset_description.json, so this is a guess; add one (BIDS requires it), or pass --layout folders if the tree is not BIDS.',
    };
  }
  if (subjects.length > 0) {
    return {
      kind: 'folders',
      reason: `folders other than sub-* (${others.slice(0, 3).join(', ')})`,
      warning: `${subjects.length} folder(s) are named sub-* as in BIDS: pass --layout bids if this is a BIDS dataset.`,
    };
  }
  return { kind: 'folders', reason: 'no sub-* folders' };
}
