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

/**
 * Guesses a tree's layout: BIDS when it has `dataset_description.json` or only `sub-*` folders.
 * An unreadable or missing root guesses `folders`; creating the project then reports the real problem.
 */
export function detectLayout(root: string): LayoutKind {
  if (existsSync(join(root, 'dataset_description.json'))) return 'bids';
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return 'folders';
  }
  const dirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.'));
  if (dirs.length > 0 && dirs.every((e) => e.name.startsWith('sub-'))) return 'bids';
  return 'folders';
}
