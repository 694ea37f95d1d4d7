import { readdirSync } from 'node:fs';
import { parseBidsEntities } from './bids-entities.js';

/** A sidecar that applies to a data file, and the level of the tree it was found at. */
export interface Sidecar {
  /** Absolute path. */
  readonly path: string;
  /** `beside the file`, `session level`, `subject level`, `dataset level`, `datatype level`. */
  readonly origin: string;
}

/** Lists a folder's file names; cached by the caller for one preview so that no folder is read twice. */
export type ListNames = (absDir: string) => readonly string[];

/** A folder lister that reads each folder once. Unreadable folders list as empty. */
export function cachedLister(): ListNames {
  const cache = new Map<string, readonly string[]>();
  return (dir) => {
    let names = cache.get(dir);
    if (names === undefined) {
      try {
        names = readdirSync(dir, { withFileTypes: true })
          .filter((e) => e.isFile() || e.isSymbolicLink())
          .map((e) => e.name);
      } catch {
        names = [];
      }
      cache.set(dir, names);
    }
    return names;
  };
}

/**
 * The sidecars with `extension` (`.json`, `.bval`, `.bvec`, `.tsv`...) that apply to a BIDS data file by
 * the inheritance principle, top-down (dataset level first, the nearest last): at every folder from the
 * dataset root down to the file's own, a file applies when it has the data file's suffix and only
 * entities the data file has, with the same values (`dwi.bval` at the top applies to every
 * `sub-*_dwi.nii.gz`; `task-rest_bold.json` to every resting-state run). Where several apply at one
 * level (BIDS forbids it), the one with the most entities is taken.
 *
 * `datasetRoot` is the absolute root of the dataset the file is in (a derivative's pipeline folder for
 * derivatives); `fileRel` is the file's path relative to it. Returns [] for names that are not BIDS.
 *
 * Example: `findSidecars('/bids', 'sub-01/dwi/sub-01_dwi.nii.gz', '.bval')` →
 * `[{ path: '/bids/dwi.bval', origin: 'dataset level' }]`.
 */
export function findSidecars(
  datasetRoot: string,
  fileRel: string,
  extension: string,
  list: ListNames = cachedLister(),
): Sidecar[] {
  const entities = parseBidsEntities(fileRel);
  if (entities === null || entities.suffix === undefined) return [];
  const folders = fileRel.split('/').slice(0, -1);
  const fileName = fileRel.split('/').pop() ?? '';
  const found: Sidecar[] = [];
  for (let depth = 0; depth <= folders.length; depth++) {
    const rel = folders.slice(0, depth).join('/');
    const dir = rel === '' ? datasetRoot : `${datasetRoot}/${rel}`;
    let best: { name: string; count: number } | null = null;
    for (const name of list(dir)) {
      if (name === fileName || !name.endsWith(extension)) continue;
      const count = applies(name.slice(0, -extension.length), entities);
      if (count !== null && (best === null || count > best.count)) best = { name, count };
    }
    if (best !== null) {
      found.push({ path: `${dir}/${best.name}`, origin: levelName(folders, depth) });
    }
  }
  return found;
}

/** The number of entities of a sidecar stem when it applies to a file with `entities`, else null. */
function applies(stem: string, entities: Readonly<Record<string, string>>): number | null {
  const parts = stem.split('_');
  const suffix = parts.pop();
  if (suffix === undefined || suffix !== entities.suffix) return null;
  for (const part of parts) {
    const dash = part.indexOf('-');
    if (dash <= 0) return null;
    if (entities[part.slice(0, dash)] !== part.slice(dash + 1)) return null;
  }
  return parts.length;
}

function levelName(folders: readonly string[], depth: number): string {
  if (depth === folders.length) return 'beside the file';
  if (depth === 0) return 'dataset level';
  const name = folders[depth - 1] ?? '';
  if (name.startsWith('ses-')) return 'session level';
  if (name.startsWith('sub-')) return 'subject level';
  return `${name} level`;
}
